using TracerBuild.KernelBtf;
using TracerBuild.Vm;

namespace TracerBuild.Tests;

public sealed class KernelBtfLockTests
{
    private static readonly string LockFile = Path.Combine(Repository.Root, "bpf", "btf.lock.json");

    private const string Sha256 = "74f530e5ff2ba7e0bd078e5cf9d253742c0c091f11ab445947be60365e311550";

    private static readonly KernelBtfLockEntry Bookworm = new("6.1.0-50-cloud-amd64", "linux-image-6.1.0-50-cloud-amd64", "6.1.176-1", Sha256);

    private static string Lock(string entry) => $$"""{ "kernels": { "x64": { "bookworm": {{entry}} } } }""";

    private const string ValidEntry =
        $$"""{ "release": "6.1.0-50-cloud-amd64", "package": "linux-image-6.1.0-50-cloud-amd64", "version": "6.1.176-1", "sha256": "{{Sha256}}" }""";

    [Fact]
    public void The_repository_lock_pins_every_kernel_of_the_matrix_for_every_arch_as_uname_prints_it()
    {
        var kernelLock = KernelBtfLock.Load(LockFile);

        foreach (var arch in Arch.All)
        {
            var kernels = kernelLock.For(arch);
            Assert.Equal(DebianKernel.All, kernels.Select(k => k.Kernel));
            Assert.All(kernels, k =>
            {
                Assert.StartsWith(k.Kernel.Series + ".", k.Entry.Release, StringComparison.Ordinal);
                Assert.EndsWith($"-cloud-{arch.DebianArch}", k.Entry.Release, StringComparison.Ordinal);
                Assert.Equal($"linux-image-{k.Entry.Release}", k.Entry.Package);
            });
        }
        Assert.Equal(Bookworm, kernelLock.For(Arch.X64).Single(k => k.Kernel.Suite == "bookworm").Entry);
    }

    [Fact]
    public void Writing_the_lock_gives_back_the_file_it_was_read_from() =>
        Assert.Equal(File.ReadAllText(LockFile), System.Text.Encoding.UTF8.GetString(KernelBtfLock.Load(LockFile).ToJson()));

    [Fact]
    public void A_kernel_of_the_matrix_missing_from_the_lock_is_named_with_the_remedy()
    {
        var error = Assert.Throws<BuildInputException>(() => KernelBtfLock.Parse(Lock(ValidEntry)).For(Arch.X64));

        Assert.Equal($"The kernel BTF lock has no bullseye kernel for x64. {KernelBtfLock.Remedy}", error.Message);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("null", "expected an object with 'kernels'")]
    [InlineData("""{ "kernels": { "x64": {} }, "extra": 1 }""", "not valid JSON")]
    [InlineData("""{ "kernels": { "amd64": {} } }""", "'amd64' is not an arch of build/Arch.cs (x64, arm64)")]
    [InlineData("""{ "kernels": { "x64": { "buster": null } } }""", "'buster' is not a Debian release of build/Vm/DebianKernel.cs (bullseye, bookworm, trixie)")]
    [InlineData("""{ "kernels": { "x64": { "bookworm": null } } }""", "kernels.x64.bookworm.release must be a kernel release")]
    [InlineData("""{ "kernels": { "x64": { "bookworm": { "release": "../../../etc/passwd" } } } }""", "kernels.x64.bookworm.release must be a kernel release")]
    [InlineData("""{ "kernels": { "x64": { "bookworm": { "release": "6.1.0-50-cloud-amd64", "package": "Linux Image" } } } }""", "kernels.x64.bookworm.package must be a Debian package name")]
    [InlineData("""{ "kernels": { "x64": { "bookworm": { "release": "6.1.0-50-cloud-amd64", "package": "linux-image-6.1.0-50-cloud-amd64", "version": "6.1 final" } } } }""", "kernels.x64.bookworm.version must be a Debian version")]
    [InlineData("""{ "kernels": { "x64": { "bookworm": { "release": "6.1.0-50-cloud-amd64", "package": "linux-image-6.1.0-50-cloud-amd64", "version": "6.1.176-1", "sha256": "ABC" } } } }""", "kernels.x64.bookworm.sha256 must be 64 lowercase hex digits")]
    public void A_malformed_lock_is_rejected_in_one_line_with_the_reason(string json, string expected)
    {
        var error = Assert.Throws<BuildInputException>(() => KernelBtfLock.Parse(json));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_missing_lock_names_the_target_that_writes_it()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "btf.lock.json");

        var error = Assert.Throws<BuildInputException>(() => KernelBtfLock.Load(path));

        Assert.Equal($"{path} is missing: it pins the kernels the tracer carries BTF for. {KernelBtfLock.Remedy}", error.Message);
    }

    [Fact]
    public void The_same_kernel_is_no_mismatch() => Assert.Null(Bookworm.Mismatch(Bookworm with { }));

    [Theory]
    [InlineData("package", "the kernel package is linux-image-6.1.0-51-cloud-amd64 6.1.176-1, the lock pins linux-image-6.1.0-50-cloud-amd64 6.1.176-1")]
    [InlineData("version", "the kernel package is linux-image-6.1.0-50-cloud-amd64 6.1.177-1, the lock pins linux-image-6.1.0-50-cloud-amd64 6.1.176-1")]
    [InlineData("release", "linux-image-6.1.0-50-cloud-amd64 6.1.176-1 holds the kernel 6.1.0-51-cloud-amd64, the lock pins 6.1.0-50-cloud-amd64")]
    [InlineData("sha256", $"the BTF of linux-image-6.1.0-50-cloud-amd64 6.1.176-1 hashes to 0000000000000000000000000000000000000000000000000000000000000000, the lock pins {Sha256} (the package was rebuilt)")]
    public void A_mismatch_names_what_differs_and_both_values(string field, string expected)
    {
        var found = field switch
        {
            "package" => Bookworm with { Package = "linux-image-6.1.0-51-cloud-amd64" },
            "version" => Bookworm with { Version = "6.1.177-1" },
            "release" => Bookworm with { Release = "6.1.0-51-cloud-amd64" },
            _ => Bookworm with { Sha256 = new string('0', 64) },
        };

        Assert.Equal(expected, Bookworm.Mismatch(found));
    }
}
