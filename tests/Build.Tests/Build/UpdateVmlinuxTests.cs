using System.Text;

namespace TracerBuild.Tests;

/// <summary>UpdateVmlinux in a scratch clone, against a fake GitHub API and a loopback mirror of a newer upstream commit.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class UpdateVmlinuxTests : IDisposable
{
    private const string NewCommit = "0123456789abcdef0123456789abcdef01234567";
    private readonly TempDirectory _temp = new();
    private readonly FakeGitHub _github = new("libbpf/vmlinux.h", "unused-token");
    private readonly MirrorServer _mirror;

    public UpdateVmlinuxTests()
    {
        _mirror = new MirrorServer(Directory.CreateDirectory(Path.Combine(_temp.Path, "empty")).FullName);
        _github.Commits["main"] = NewCommit;
        foreach (var arch in Arch.All)
        {
            // As upstream serves it: vmlinux.h is a symlink whose body names the versioned header.
            _mirror.Files[$"{NewCommit}/include/{arch.VmlinuxDir}/vmlinux.h"] = "vmlinux_7.0.h"u8.ToArray();
            _mirror.Files[$"{NewCommit}/include/{arch.VmlinuxDir}/vmlinux_7.0.h"] = Header(arch);
        }
    }

    public void Dispose()
    {
        _github.Dispose();
        _mirror.Dispose();
        _temp.Dispose();
    }

    private static byte[] Header(Arch arch) => Encoding.UTF8.GetBytes($"/* {arch.Name} */\nstruct task_struct {{ int pid; }};\n");

    [Fact]
    public void It_pins_the_ref_s_commit_and_headers_and_a_second_run_changes_nothing()
    {
        var clone = Path.Combine(_temp.Path, "clone");
        Programs.Run("git", ["clone", "-q", Repository.Root, clone], echo: false);
        var lockFile = Path.Combine(clone, "bpf", "vmlinux.lock.json");
        var before = VmlinuxLock.Load(lockFile);
        string[] update = ["--target", "UpdateVmlinux", "--github-api-url", _github.Url, "--vmlinux-mirror", _mirror.Url, "--cache-dir", Path.Combine(_temp.Path, "cache")];

        var first = BuildScriptFixture.BuildScript(clone, update);

        Assert.True(first.ExitCode == 0, first.Output);
        var after = VmlinuxLock.Load(lockFile);
        Assert.Equal(before.Repository, after.Repository);
        Assert.Equal(NewCommit, after.Commit);
        foreach (var arch in Arch.All)
        {
            Assert.Equal(new VmlinuxLockEntry("vmlinux_7.0.h", Sha256.Of(Header(arch))), after.For(arch));
            Assert.Contains($"  {arch.VmlinuxDir}: {before.For(arch).File} {before.For(arch).Sha256} -> vmlinux_7.0.h {Sha256.Of(Header(arch))}", first.Output);
        }
        Assert.Contains($"libbpf/vmlinux.h main: {before.Commit} -> {NewCommit}", first.Output);
        Assert.Contains("GET /repos/libbpf/vmlinux.h/commits/main", _github.Requests);

        var second = BuildScriptFixture.BuildScript(clone, update);

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("bpf/vmlinux.lock.json already pins these files.", second.Output);
        Assert.Equal(after, VmlinuxLock.Load(lockFile), new LockComparer());
    }

    [Fact]
    public void An_unknown_ref_fails_in_one_line_and_leaves_the_lock_alone()
    {
        var clone = Path.Combine(_temp.Path, "clone");
        Programs.Run("git", ["clone", "-q", Repository.Root, clone], echo: false);
        var lockFile = Path.Combine(clone, "bpf", "vmlinux.lock.json");
        var before = File.ReadAllText(lockFile);

        var result = BuildScriptFixture.BuildScript(clone,
            "--target", "UpdateVmlinux", "--vmlinux-ref", "no-such-branch", "--github-api-url", _github.Url, "--vmlinux-mirror", _mirror.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: GitHub GET /repos/libbpf/vmlinux.h/commits/no-such-branch failed: 422", Assert.Single(result.Lines, l => l.StartsWith("error:", StringComparison.Ordinal)));
        Assert.Equal(before, File.ReadAllText(lockFile));
    }

    private sealed class LockComparer : IEqualityComparer<VmlinuxLock>
    {
        public bool Equals(VmlinuxLock? x, VmlinuxLock? y) => x!.ToJson().SequenceEqual(y!.ToJson());

        public int GetHashCode(VmlinuxLock obj) => obj.Commit.GetHashCode();
    }
}
