namespace TracerBuild.Tests;

public sealed class VmlinuxLockTests
{
    private const string Valid = """
        {
          "repository": "libbpf/vmlinux.h",
          "commit": "c32912840154a82205530cd6d498b346ac73a6d1",
          "files": {
            "x86_64": { "file": "vmlinux_6.19.h", "sha256": "0b19715a3b9d5b3488fe6ade51c4d889d15a322f893ccd13ec030b8f59265df2" }
          }
        }
        """;

    [Fact]
    public void The_repository_lock_pins_the_issue_s_commit_and_hashes()
    {
        var vmlinuxLock = VmlinuxLock.Load(Path.Combine(Repository.Root, "bpf", "vmlinux.lock.json"));

        Assert.Equal("libbpf/vmlinux.h", vmlinuxLock.Repository);
        Assert.Equal("c32912840154a82205530cd6d498b346ac73a6d1", vmlinuxLock.Commit);
        Assert.Equal(new VmlinuxLockEntry("vmlinux_6.19.h", "0b19715a3b9d5b3488fe6ade51c4d889d15a322f893ccd13ec030b8f59265df2"), vmlinuxLock.For(Arch.X64));
        Assert.Equal(new VmlinuxLockEntry("vmlinux_6.19.h", "600769a5eb243d0e4f81f1a4517281214eae8bf04d3f888b6951a3a954e34d88"), vmlinuxLock.For(Arch.Arm64));
    }

    [Fact]
    public void Writing_the_lock_gives_back_the_file_it_was_read_from()
    {
        var path = Path.Combine(Repository.Root, "bpf", "vmlinux.lock.json");
        Assert.Equal(File.ReadAllText(path), System.Text.Encoding.UTF8.GetString(VmlinuxLock.Load(path).ToJson()));
    }

    [Fact]
    public void An_arch_missing_from_the_lock_is_named()
    {
        var error = Assert.Throws<BuildInputException>(() => VmlinuxLock.Parse(Valid).For(Arch.Arm64));
        Assert.Contains("'aarch64'", error.Message);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("null", "expected an object")]
    [InlineData("""{ "repository": "libbpf/vmlinux.h", "commit": "c329", "files": {} }""", "'commit' must be a full 40-character hex commit id")]
    [InlineData("""{ "repository": "x", "commit": "c32912840154a82205530cd6d498b346ac73a6d1", "files": {} }""", "'repository' must be a GitHub owner/name")]
    [InlineData("""{ "repository": "../evil", "commit": "c32912840154a82205530cd6d498b346ac73a6d1", "files": {} }""", "'repository' must be a GitHub owner/name")]
    [InlineData("""{ "repository": "libbpf/vmlinux.h", "commit": "c32912840154a82205530cd6d498b346ac73a6d1", "files": {} }""", "'files' must map")]
    [InlineData("""{ "repository": "libbpf/vmlinux.h", "commit": "c32912840154a82205530cd6d498b346ac73a6d1", "files": { "x86_64": { "file": "vmlinux_6.19.h", "sha256": "ABC" } } }""", "files.x86_64.sha256 must be 64 lowercase hex digits")]
    [InlineData("""{ "repository": "libbpf/vmlinux.h", "commit": "c32912840154a82205530cd6d498b346ac73a6d1", "files": { "x86_64": { "file": "../../etc/passwd", "sha256": "0b19715a3b9d5b3488fe6ade51c4d889d15a322f893ccd13ec030b8f59265df2" } } }""", "files.x86_64.file must be a plain file name")]
    [InlineData("""{ "repository": "libbpf/vmlinux.h", "commit": "c32912840154a82205530cd6d498b346ac73a6d1", "files": {}, "extra": 1 }""", "not valid JSON")]
    public void A_malformed_lock_is_rejected_with_the_reason(string json, string expected)
    {
        var error = Assert.Throws<BuildInputException>(() => VmlinuxLock.Parse(json));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_lock_that_is_a_folder_is_named_as_one_not_as_missing()
    {
        using var dir = new TempDirectory();
        var path = Directory.CreateDirectory(Path.Combine(dir.Path, "vmlinux.lock.json")).FullName;

        var error = Assert.Throws<BuildInputException>(() => VmlinuxLock.Load(path));

        Assert.Equal($"{path} is a folder, where the file that pins the vmlinux.h headers belongs: remove it and restore the file (git checkout -- bpf/vmlinux.lock.json).", error.Message);
    }
}
