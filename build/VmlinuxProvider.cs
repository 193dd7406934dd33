using System.Security.Cryptography;
using TracerBuild.Engine;

namespace TracerBuild;

/// <summary>
/// Fetches the pinned vmlinux.h of an arch from a mirror laid out like upstream
/// (<c>&lt;mirror&gt;/&lt;commit&gt;/include/&lt;dir&gt;/&lt;file&gt;</c>), verifies its sha256 and keeps it in the cache.
/// The mirror is an http(s) base URL, a <c>file://</c> URL or a local folder.
/// </summary>
public sealed class VmlinuxProvider(string mirror, string cacheDirectory, HttpClient http)
{
    /// <summary>The path of the verified header in the cache; downloads it only when the cache lacks a good copy.</summary>
    public string Get(VmlinuxLock vmlinuxLock, Arch arch)
    {
        var entry = vmlinuxLock.For(arch);
        var relative = $"{vmlinuxLock.Commit}/include/{arch.VmlinuxDir}/{entry.File}";
        var cached = Path.Combine(cacheDirectory, "vmlinux", vmlinuxLock.Commit, arch.VmlinuxDir, entry.File);
        if (File.Exists(cached))
        {
            if (Sha256.OfFile(cached) == entry.Sha256)
            {
                Console.WriteLine($"vmlinux.h for {arch.Name}: cached {cached}");
                return cached;
            }
            Console.WriteLine($"vmlinux.h for {arch.Name}: cached copy does not match the lock, fetching it again");
        }

        var source = Describe(relative);
        var bytes = Download(relative, source);
        var actual = Sha256.Of(bytes);
        if (actual != entry.Sha256)
            throw new BuildFailedException(
                $"sha256 mismatch for {source}: expected {entry.Sha256}, got {actual}; nothing was cached. " +
                "The mirror does not serve the pinned file: use --vmlinux-mirror with a trustworthy mirror.");

        AtomicFile.Write(cached, stream => stream.Write(bytes));
        Console.WriteLine($"vmlinux.h for {arch.Name}: fetched {source} ({bytes.Length} bytes, sha256 verified)");
        return cached;
    }

    private bool IsHttp => mirror.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ||
                           mirror.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    private string Describe(string relative) =>
        IsHttp ? $"{mirror.TrimEnd('/')}/{relative}" : Path.Combine(LocalFolder(), relative);

    private string LocalFolder() =>
        mirror.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(mirror).LocalPath : Path.GetFullPath(mirror);

    private byte[] Download(string relative, string source)
    {
        const string remedy = "Point --vmlinux-mirror at a reachable mirror or a local folder laid out like upstream.";
        if (!IsHttp)
        {
            return File.Exists(source)
                ? File.ReadAllBytes(source)
                : throw new BuildFailedException($"{source} does not exist. {remedy}");
        }

        try
        {
            using var response = http.GetAsync(source, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
                throw new BuildFailedException($"GET {source} failed: {(int)response.StatusCode} {response.ReasonPhrase}. {remedy}");
            return response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            throw new BuildFailedException($"GET {source} failed: {e.Message} {remedy}");
        }
    }
}

public static class Sha256
{
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>Writes go to a temporary file beside the destination and are renamed into place, so readers never see half a file.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = File.Create(temporary))
                write(stream);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
