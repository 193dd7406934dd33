using TracerBuild.KernelBtf;
using TracerBuild.Vm;

namespace TracerBuild.Tests;

/// <summary>The pinned full BTF of a kernel package made in the test: checked against the lock, cached, used from the cache.</summary>
public sealed class KernelBtfProviderTests : IDisposable
{
    private static readonly DebianKernel Bookworm = DebianKernel.All.Single(k => k.Suite == "bookworm");
    private readonly TempDirectory _temp = new();
    private readonly byte[] _btf = SyntheticKernel.Btf();
    private readonly string _deb;
    private readonly KernelBtfCache _cache;
    private readonly KernelBtfLockEntry _pinned;
    private int _downloads;

    public KernelBtfProviderTests()
    {
        var image = SyntheticKernel.RawImage(_btf, offset: 4096, length: 64 * 1024);
        _deb = SyntheticKernel.Deb(_temp.Path, "linux-image-6.1.0-50-cloud-arm64", "6.1.176-1", "6.1.0-50-cloud-arm64", image);
        _cache = new KernelBtfCache(Folder("cache"));
        _pinned = new KernelBtfLockEntry("6.1.0-50-cloud-arm64", "linux-image-6.1.0-50-cloud-arm64", "6.1.176-1", Sha256.Of(_btf));
    }

    public void Dispose() => _temp.Dispose();

    private KernelBtfProvider Provider() => new(_cache, (_, _) =>
    {
        _downloads++;
        return _deb;
    });

    [Fact]
    public void The_pinned_kernel_is_extracted_once_then_served_from_the_cache()
    {
        var first = Provider().GetPinned(Arch.Arm64, Bookworm, _pinned, Folder("work"));
        var second = Provider().GetPinned(Arch.Arm64, Bookworm, _pinned, Folder("work"));

        Assert.Equal(_btf, File.ReadAllBytes(first));
        Assert.Equal(first, second);
        Assert.Equal(1, _downloads);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Folder("work")));
    }

    [Fact]
    public void A_package_other_than_the_pinned_one_fails_in_one_line_and_caches_nothing()
    {
        var pinned = _pinned with { Version = "6.1.175-1" };

        var error = Assert.Throws<BuildFailedException>(() => Provider().GetPinned(Arch.Arm64, Bookworm, pinned, Folder("work")));

        Assert.Equal(
            "arm64 bookworm: the kernel package is linux-image-6.1.0-50-cloud-arm64 6.1.176-1, the lock pins linux-image-6.1.0-50-cloud-arm64 6.1.175-1. " +
            KernelBtfLock.Remedy, error.Message);
        Assert.False(File.Exists(_cache.PathOf(Arch.Arm64, pinned)));
    }

    [Fact]
    public void A_cached_entry_changed_on_disk_is_extracted_again()
    {
        var path = Provider().GetPinned(Arch.Arm64, Bookworm, _pinned, Folder("work"));
        File.WriteAllBytes(path, [1, 2, 3]);

        Provider().GetPinned(Arch.Arm64, Bookworm, _pinned, Folder("work"));

        Assert.Equal(_btf, File.ReadAllBytes(path));
        Assert.Equal(2, _downloads);
    }

    [Fact]
    public void Updating_reads_the_package_s_name_version_and_release_and_hashes_its_btf()
    {
        var (entry, btf) = Provider().Extract(Arch.Arm64, Bookworm, Folder("work"));

        Assert.Equal(_pinned, entry);
        Assert.Equal(_btf, btf);
    }

    private AbsolutePath Folder(string name) => AbsolutePath.Of(Directory.CreateDirectory(Path.Combine(_temp.Path, name)).FullName);
}
