using System.Text;
using System.Text.RegularExpressions;

namespace TracerBuild.Vmlinux;

/// <summary>Gets an arch's vmlinux.h: pinned by the lock (verified, cached) or, for updating, whatever a ref points to.</summary>
public sealed partial class VmlinuxProvider(Mirror mirror, VmlinuxCache cache, Func<string, IProgress<(long Read, long? Total)>?>? progress = null)
{
    private const int MaxLinks = 4;

    /// <summary>The cached path of the arch's pinned header; fetched and verified only when the cache lacks a good copy.</summary>
    public string GetPinned(VmlinuxLock vmlinuxLock, Arch arch)
    {
        var entry = vmlinuxLock.For(arch);
        var path = cache.PathOf(vmlinuxLock.Commit, arch.VmlinuxDir, entry.File);
        switch (VmlinuxCache.Check(path, entry.Sha256))
        {
            case VmlinuxCache.Entry.Good:
                Log.Line($"vmlinux.h for {arch.Name}: cached {path}");
                return path;
            case VmlinuxCache.Entry.Damaged:
                Log.Warning($"vmlinux.h for {arch.Name}: the cached {path} does not hash to the lock's sha256 (changed on disk); replacing it");
                break;
        }

        using (cache.Lock(path))
        {
            if (VmlinuxCache.Check(path, entry.Sha256) == VmlinuxCache.Entry.Good)
            {
                Log.Line($"vmlinux.h for {arch.Name}: fetched meanwhile by another build, {path}");
                return path;
            }
            var relative = $"{vmlinuxLock.Commit}/include/{arch.VmlinuxDir}/{entry.File}";
            var bytes = mirror.Fetch(relative, progress?.Invoke($"{arch.VmlinuxDir}/{entry.File}"));
            var actual = Sha256.Of(bytes);
            if (actual != entry.Sha256)
            {
                throw new BuildFailedException(
                    $"sha256 mismatch for {mirror.Describe(relative)}: expected {entry.Sha256}, got {actual}; nothing was cached. " +
                    "The mirror does not serve the pinned file: use --vmlinux-mirror with a trustworthy mirror.");
            }
            cache.Store(path, bytes);
            Log.Line($"vmlinux.h for {arch.Name}: fetched {mirror.Describe(relative)} ({bytes.Length:N0} bytes, sha256 verified)");
        }
        return path;
    }

    /// <summary>
    /// Unpinned: the header <c>&lt;ref&gt;/include/&lt;dir&gt;/vmlinux.h</c> stands for. Upstream keeps that name as a git
    /// symlink, served over raw HTTP as a body holding just the target's name, which is followed (a few levels at most).
    /// </summary>
    public (string File, byte[] Bytes) Resolve(string gitRef, Arch arch)
    {
        var relative = $"{gitRef}/include/{arch.VmlinuxDir}/vmlinux.h";
        for (var links = 0; links <= MaxLinks; links++)
        {
            var bytes = mirror.Fetch(relative, progress?.Invoke($"{arch.VmlinuxDir}/{Path.GetFileName(relative)}"));
            if (LinkTarget(bytes) is not { } target)
                return (Path.GetFileName(relative), bytes);
            Log.Line($"{mirror.Describe(relative)} is a link to {target}");
            relative = Follow(relative, target, gitRef);
        }
        throw new BuildFailedException($"{mirror.Describe($"{gitRef}/include/{arch.VmlinuxDir}/vmlinux.h")}: more than {MaxLinks} links in a row.");
    }

    private static string? LinkTarget(byte[] bytes)
    {
        if (bytes.Length > 256)
            return null;
        var text = Encoding.UTF8.GetString(bytes).Trim();
        return LinkPattern().IsMatch(text) ? text : null;
    }

    /// <summary>Resolves a link relative to the linking file's folder; it must stay inside the ref's include/.</summary>
    private string Follow(string relative, string target, string gitRef)
    {
        var segments = relative.Split('/').SkipLast(1).ToList();
        foreach (var segment in target.Split('/'))
        {
            if (segment == "..")
                segments.RemoveAt(segments.Count - 1);
            else
                segments.Add(segment);
        }
        var resolved = string.Join('/', segments);
        return resolved.StartsWith($"{gitRef}/include/", StringComparison.Ordinal)
            ? resolved
            : throw new BuildFailedException($"{mirror.Describe(relative)} links outside include/: {target}");
    }

    // A bare versioned header name, possibly through sibling folders: vmlinux_6.19.h, ../x86_64/vmlinux_6.19.h.
    [GeneratedRegex(@"^(?:(?:\.\.|[A-Za-z0-9_][A-Za-z0-9_.-]*)/)*vmlinux_[0-9][0-9.]*\.h$")]
    private static partial Regex LinkPattern();
}
