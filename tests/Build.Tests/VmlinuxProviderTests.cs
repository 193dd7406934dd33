using TracerBuild.Engine;

namespace TracerBuild.Tests;

public sealed class VmlinuxProviderTests : IDisposable
{
    private readonly TempDirectory _cache = new();
    private readonly HttpClient _http = new();
    private readonly VmlinuxLock _lock = VmlinuxLock.Load(Path.Combine(Repository.Root, "bpf", "vmlinux.lock.json"));

    public void Dispose()
    {
        _http.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public void Fetches_each_arch_s_pinned_header_over_http_and_a_warm_cache_makes_no_request()
    {
        using var mirror = new MirrorServer(Repository.VmlinuxMirror);
        var provider = new VmlinuxProvider(mirror.Url, _cache.Path, _http);

        foreach (var arch in Arch.All)
        {
            var header = provider.Get(_lock, arch);
            Assert.Equal(_lock.For(arch).Sha256, Sha256.OfFile(header));
            Assert.StartsWith(_cache.Path, header);
        }
        Assert.Equal(2, mirror.Requests);

        foreach (var arch in Arch.All)
            provider.Get(_lock, arch);
        Assert.Equal(2, mirror.Requests);
    }

    [Fact]
    public void A_tampered_mirror_is_rejected_naming_sha256_and_nothing_is_cached()
    {
        using var mirror = new MirrorServer(Repository.VmlinuxMirror, bytes => [.. bytes, .. "/* extra */"u8]);
        var provider = new VmlinuxProvider(mirror.Url, _cache.Path, _http);

        var error = Assert.Throws<BuildFailedException>(() => provider.Get(_lock, Arch.Arm64));

        Assert.Contains("sha256 mismatch", error.Message);
        Assert.Contains($"expected {_lock.For(Arch.Arm64).Sha256}", error.Message);
        Assert.Contains(mirror.Url, error.Message);
        Assert.Empty(Directory.EnumerateFiles(_cache.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_corrupted_cache_entry_is_fetched_again()
    {
        using var mirror = new MirrorServer(Repository.VmlinuxMirror);
        var provider = new VmlinuxProvider(mirror.Url, _cache.Path, _http);
        var header = provider.Get(_lock, Arch.X64);
        File.AppendAllText(header, "garbage");

        Assert.Equal(header, provider.Get(_lock, Arch.X64));
        Assert.Equal(_lock.For(Arch.X64).Sha256, Sha256.OfFile(header));
        Assert.Equal(2, mirror.Requests);
    }

    [Fact]
    public void A_missing_file_gives_the_url_status_and_remedy()
    {
        using var empty = new TempDirectory();
        using var mirror = new MirrorServer(empty.Path);
        var provider = new VmlinuxProvider(mirror.Url, _cache.Path, _http);

        var error = Assert.Throws<BuildFailedException>(() => provider.Get(_lock, Arch.X64));

        Assert.Equal(
            $"GET {mirror.Url}/{_lock.Commit}/include/x86_64/vmlinux_6.19.h failed: 404 Not Found. " +
            "Point --vmlinux-mirror at a reachable mirror or a local folder laid out like upstream.",
            error.Message);
    }

    [Fact]
    public void An_unreachable_mirror_gives_one_line_with_the_remedy()
    {
        using var mirror = new MirrorServer(Repository.VmlinuxMirror);
        var url = mirror.Url;
        mirror.Dispose();
        var provider = new VmlinuxProvider(url, _cache.Path, _http);

        var error = Assert.Throws<BuildFailedException>(() => provider.Get(_lock, Arch.X64));

        Assert.StartsWith($"GET {url}/", error.Message);
        Assert.EndsWith("Point --vmlinux-mirror at a reachable mirror or a local folder laid out like upstream.", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_local_folder_or_file_url_is_a_mirror_too(bool asFileUrl)
    {
        var mirror = asFileUrl ? new Uri(Repository.VmlinuxMirror).AbsoluteUri : Repository.VmlinuxMirror;
        var provider = new VmlinuxProvider(mirror, _cache.Path, _http);

        var header = provider.Get(_lock, Arch.Arm64);

        Assert.Equal(_lock.For(Arch.Arm64).Sha256, Sha256.OfFile(header));
    }
}
