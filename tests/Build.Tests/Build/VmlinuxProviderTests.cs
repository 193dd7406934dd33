using System.Text;

namespace TracerBuild.Tests;

public sealed class VmlinuxProviderTests : IDisposable
{
    /// <summary>Fast retries and a short attempt timeout, so fault tests take a moment, not minutes.</summary>
    private static readonly FetchPolicy Quick = new(new RetryPolicy(4, TimeSpan.FromMilliseconds(10)), TimeSpan.FromSeconds(1));

    private readonly TempDirectory _cache = new();
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly VmlinuxLock _lock = VmlinuxLock.Load(Path.Combine(Repository.Root, "bpf", "vmlinux.lock.json"));
    private readonly MirrorServer _mirror;

    public VmlinuxProviderTests() : this(new MirrorServer(Repository.VmlinuxMirror))
    {
    }

    private VmlinuxProviderTests(MirrorServer mirror) => _mirror = mirror;

    public void Dispose()
    {
        _mirror.Dispose();
        _http.Dispose();
        _cache.Dispose();
    }

    private VmlinuxProvider Provider(string? mirror = null) =>
        new(Mirror.Create(PathOrUrl.From(mirror ?? _mirror.Url, Directory.GetCurrentDirectory()), _http, Quick), new VmlinuxCache(AbsolutePath.Of(_cache.Path)));

    private string PinnedPath(Arch arch) => $"{_lock.Commit}/include/{arch.VmlinuxDir}/{_lock.For(arch).File}";

    private string CachedPath(Arch arch) => new VmlinuxCache(AbsolutePath.Of(_cache.Path)).PathOf(_lock.Commit, arch.VmlinuxDir, _lock.For(arch).File);

    [Fact]
    public void Fetches_each_arch_s_pinned_header_and_a_warm_cache_makes_no_request()
    {
        foreach (var arch in Arch.All)
        {
            var header = Provider().GetPinned(_lock, arch);
            Assert.Equal(CachedPath(arch), header);
            Assert.Equal(_lock.For(arch).Sha256, Sha256.OfFile(header));
            Assert.Equal(1, _mirror.RequestsFor(PinnedPath(arch)));
        }
        Assert.Equal(2, _mirror.Requests);

        foreach (var arch in Arch.All)
            Provider().GetPinned(_lock, arch);
        Assert.Equal(2, _mirror.Requests);
    }

    [Theory]
    [InlineData(Fault.ServerError, Fault.ServerError)]
    [InlineData(Fault.DropMidBody)]
    [InlineData(Fault.ShortBody)]
    [InlineData(Fault.Slow)]
    [InlineData(Fault.ServerError, Fault.DropMidBody, Fault.ShortBody)]
    public void Transient_faults_are_retried_until_the_file_arrives_whole(params Fault[] faults)
    {
        foreach (var fault in faults)
            _mirror.Faults.Enqueue(fault);

        var header = Provider().GetPinned(_lock, Arch.X64);

        Assert.Equal(_lock.For(Arch.X64).Sha256, Sha256.OfFile(header));
        Assert.Equal(faults.Length + 1, _mirror.RequestsFor(PinnedPath(Arch.X64)));
    }

    [Fact]
    public void A_mirror_that_keeps_failing_gives_one_line_with_the_url_the_reason_and_the_remedies()
    {
        for (var i = 0; i < Quick.Retry.Attempts; i++)
            _mirror.Faults.Enqueue(Fault.ServerError);

        var error = Assert.Throws<BuildFailedException>(() => Provider().GetPinned(_lock, Arch.X64));

        Assert.Equal(
            $"GET {_mirror.Url}/{PinnedPath(Arch.X64)} failed after 4 attempts: 500 Internal Server Error. {Mirror.Remedy}",
            error.Message);
        Assert.Contains("--vmlinux-mirror", Mirror.Remedy);
        Assert.Contains("--vmlinux-source host", Mirror.Remedy);
        Assert.False(File.Exists(CachedPath(Arch.X64)));
    }

    [Fact]
    public void A_tampered_file_is_rejected_naming_sha256_and_nothing_is_cached()
    {
        using var tampered = new MirrorServer(Repository.VmlinuxMirror, bytes => [.. bytes[..^1], (byte)(bytes[^1] ^ 1)]);

        var error = Assert.Throws<BuildFailedException>(() => Provider(tampered.Url).GetPinned(_lock, Arch.Arm64));

        Assert.StartsWith($"sha256 mismatch for {tampered.Url}/{PinnedPath(Arch.Arm64)}: expected {_lock.For(Arch.Arm64).Sha256}, got ", error.Message);
        Assert.Equal(1, tampered.Requests);
        Assert.DoesNotContain(Directory.EnumerateFiles(_cache.Path, "*", SearchOption.AllDirectories), f => !f.EndsWith(".lock", StringComparison.Ordinal));
    }

    [Fact]
    public void Not_found_is_not_retried_and_says_what_to_do()
    {
        using var empty = new TempDirectory();
        using var mirror = new MirrorServer(empty.Path);

        var error = Assert.Throws<BuildFailedException>(() => Provider(mirror.Url).GetPinned(_lock, Arch.X64));

        Assert.Equal($"GET {mirror.Url}/{PinnedPath(Arch.X64)} failed: 404 Not Found. {Mirror.Remedy}", error.Message);
        Assert.Equal(1, mirror.Requests);
    }

    [Fact]
    public void An_unreachable_mirror_gives_one_line_with_the_remedies()
    {
        var url = _mirror.Url;
        _mirror.Dispose();

        var error = Assert.Throws<BuildFailedException>(() => Provider(url).GetPinned(_lock, Arch.X64));

        Assert.StartsWith($"GET {url}/{PinnedPath(Arch.X64)} failed after 4 attempts: ", error.Message);
        Assert.EndsWith(Mirror.Remedy, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_cache_entry_changed_on_disk_is_fetched_again()
    {
        var header = Provider().GetPinned(_lock, Arch.X64);
        File.AppendAllText(header, "garbage");

        Assert.Equal(header, Provider().GetPinned(_lock, Arch.X64));
        Assert.Equal(_lock.For(Arch.X64).Sha256, Sha256.OfFile(header));
        Assert.Equal(2, _mirror.Requests);
    }

    [Fact]
    public void A_byte_changed_in_a_cached_header_with_size_and_mtime_kept_is_caught_and_the_entry_replaced()
    {
        var header = Provider().GetPinned(_lock, Arch.X64);
        FlipFirstByteKeepingSizeAndMtime(header);

        Assert.Equal(header, Provider().GetPinned(_lock, Arch.X64));
        Assert.Equal(_lock.For(Arch.X64).Sha256, Sha256.OfFile(header));
        Assert.Equal(2, _mirror.Requests);
    }

    [Fact]
    public void A_read_only_cache_holding_just_the_headers_is_used_without_writing_to_it()
    {
        Assert.SkipUnless(Repository.IsRoot, "A read-only bind mount needs root (and root ignores file modes, so nothing less makes the cache read-only).");
        foreach (var arch in Arch.All)
            Provider().GetPinned(_lock, arch);
        // Just the headers, as copied from another machine: nothing beside them vouches for them.
        foreach (var other in Directory.EnumerateFiles(_cache.Path, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".h", StringComparison.Ordinal)))
            File.Delete(other);
        var before = Directory.EnumerateFiles(_cache.Path, "*", SearchOption.AllDirectories).Order().ToList();
        Programs.Run("mount", ["--bind", "-o", "ro", _cache.Path, _cache.Path], echo: false);
        try
        {
            foreach (var arch in Arch.All)
                Assert.Equal(_lock.For(arch).Sha256, Sha256.OfFile(Provider().GetPinned(_lock, arch)));
        }
        finally
        {
            Programs.Run("umount", [_cache.Path], echo: false);
        }
        Assert.Equal(2, _mirror.Requests);
        Assert.Equal(before, Directory.EnumerateFiles(_cache.Path, "*", SearchOption.AllDirectories).Order());
    }

    [Fact]
    public void A_cache_folder_that_cannot_be_made_gives_one_line_that_names_cache_dir()
    {
        var file = Path.Combine(_cache.Path, "a-file");
        File.WriteAllText(file, "");
        var provider = new VmlinuxProvider(Mirror.Create(PathOrUrl.From(_mirror.Url, Directory.GetCurrentDirectory()), _http, Quick, TestContext.Current.CancellationToken), new VmlinuxCache(AbsolutePath.Of(file)));

        var error = Assert.Throws<BuildFailedException>(() => provider.GetPinned(_lock, Arch.X64));

        Assert.Equal($"Cannot write to the vmlinux.h cache {file}: a part of its path is not a folder. Fix that folder or point --cache-dir elsewhere.", error.Message);
    }

    internal static void FlipFirstByteKeepingSizeAndMtime(string path)
    {
        var written = File.GetLastWriteTimeUtc(path);
        var bytes = File.ReadAllBytes(path);
        bytes[0] ^= 0x20;
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, written);
    }

    [Fact]
    public void Threads_sharing_an_empty_cache_fetch_each_file_once()
    {
        _mirror.SlowDelay = TimeSpan.FromMilliseconds(500);
        _mirror.Faults.Enqueue(Fault.Slow);

        // Dedicated threads: builds waiting on the cache lock must not starve this process's thread pool, which serves the mirror.
        var headers = new string[4];
        var threads = Enumerable.Range(0, headers.Length).Select(i => new Thread(() => headers[i] = Provider().GetPinned(_lock, Arch.Arm64))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.All(headers, h => Assert.Equal(_lock.For(Arch.Arm64).Sha256, Sha256.OfFile(h)));

        Assert.Equal(1, _mirror.RequestsFor(PinnedPath(Arch.Arm64)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_local_folder_or_file_url_is_a_mirror_too(bool asFileUrl)
    {
        var mirror = asFileUrl ? new Uri(Repository.VmlinuxMirror).AbsoluteUri : Repository.VmlinuxMirror;

        var header = Provider(mirror).GetPinned(_lock, Arch.Arm64);

        Assert.Equal(_lock.For(Arch.Arm64).Sha256, Sha256.OfFile(header));
    }

    [Fact]
    public void A_ref_s_vmlinux_h_link_is_followed_for_both_arches()
    {
        foreach (var arch in Arch.All)
        {
            var (file, bytes) = Provider().Resolve(_lock.Commit, arch);

            Assert.Equal(_lock.For(arch).File, file);
            Assert.Equal(_lock.For(arch).Sha256, Sha256.Of(bytes));
            Assert.Equal(1, _mirror.RequestsFor($"{_lock.Commit}/include/{arch.VmlinuxDir}/vmlinux.h"));
        }
    }

    [Fact]
    public void A_vmlinux_h_that_is_already_a_header_is_used_as_it_is()
    {
        var header = Encoding.UTF8.GetBytes("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\nstruct task_struct { int pid; };\n#endif\n");
        _mirror.Files["main/include/x86_64/vmlinux.h"] = header;

        var (file, bytes) = Provider().Resolve("main", Arch.X64);

        Assert.Equal("vmlinux.h", file);
        Assert.Equal(header, bytes);
    }

    [Fact]
    public void A_relative_link_through_a_sibling_folder_is_followed()
    {
        var header = Encoding.UTF8.GetBytes("struct task_struct { int pid; };\n");
        _mirror.Files["main/include/aarch64/vmlinux.h"] = "../shared/vmlinux_7.1.h\n"u8.ToArray();
        _mirror.Files["main/include/shared/vmlinux_7.1.h"] = header;

        var (file, bytes) = Provider().Resolve("main", Arch.Arm64);

        Assert.Equal("vmlinux_7.1.h", file);
        Assert.Equal(header, bytes);
    }

    [Fact]
    public void Links_leaving_include_or_looping_are_refused()
    {
        _mirror.Files["main/include/x86_64/vmlinux.h"] = "../../../etc/vmlinux_1.h"u8.ToArray();
        var outside = Assert.Throws<BuildFailedException>(() => Provider().Resolve("main", Arch.X64));
        Assert.Contains("links outside include/", outside.Message);

        _mirror.Files["loop/include/x86_64/vmlinux.h"] = "vmlinux_1.h"u8.ToArray();
        _mirror.Files["loop/include/x86_64/vmlinux_1.h"] = "vmlinux_1.h"u8.ToArray();
        var loop = Assert.Throws<BuildFailedException>(() => Provider().Resolve("loop", Arch.X64));
        Assert.Contains("more than 4 links in a row", loop.Message);
    }
}
