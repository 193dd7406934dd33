namespace TracerBuild.Debian;

/// <summary>
/// Sets of Debian packages of one suite and arch, downloaded once into the build's cache: a cached set is used only when
/// every file's content matches the manifest written when it was downloaded, so a warm run makes no request at all.
/// </summary>
public static class DebianPackageCache
{
    private const string Manifest = "SHA256SUMS";

    /// <param name="set">The set's name within the suite's folder (e.g. kernel, userland, sysroot).</param>
    /// <param name="requested">The packages asked for: a set cached for another list is downloaded again.</param>
    /// <param name="resolve">The packages to download for those asked for, given the suite's archive (a metapackage's
    /// versioned dependency); by default, those asked for.</param>
    public static IReadOnlyList<string> Ensure(string cacheDirectory, string archiveUri, string suite, Arch arch, string set,
        IReadOnlyList<string> requested, Func<DebianArchive, IEnumerable<string>>? resolve = null)
    {
        var folder = Path.Combine(cacheDirectory, "debian", $"{suite}-{arch.DebianArch}");
        var debs = Path.Combine(folder, set);
        var manifest = Path.Combine(folder, $"{set}.{Manifest}");
        var request = Path.Combine(folder, $"{set}.requested");
        var requestText = string.Join(" ", requested) + "\n";
        if (File.Exists(request) && File.ReadAllText(request) == requestText && Verified(manifest, debs) is { } cached)
            return cached;

        if (Directory.Exists(debs))
            Directory.Delete(debs, recursive: true);
        Directory.CreateDirectory(folder);
        File.Delete(manifest);
        var archive = new DebianArchive(Path.Combine(folder, "apt"), archiveUri, suite, arch);
        archive.Update();
        var wanted = (resolve?.Invoke(archive) ?? requested).ToList();
        Log.Line($"Downloading from Debian {suite} ({arch.DebianArch}, {archiveUri}): {string.Join(" ", wanted)}");
        var files = archive.Download(wanted, debs);
        Sha256.WriteSums(manifest, files);
        File.WriteAllText(request, requestText);
        return files;
    }

    /// <summary>The manifest's files when every one is there with the recorded content; null otherwise (then downloaded again).</summary>
    private static IReadOnlyList<string>? Verified(string manifest, string folder)
    {
        if (!File.Exists(manifest))
            return null;
        var files = new List<string>();
        foreach (var line in File.ReadAllLines(manifest))
        {
            if (line.Length < 67)
                return null;
            var (sha256, name) = (line[..64], line[66..]);
            var file = Path.Combine(folder, name);
            if (!File.Exists(file) || Sha256.OfFile(file) != sha256)
            {
                Log.Line($"Cached {name} is missing or its content changed; downloading again.");
                return null;
            }
            files.Add(file);
        }
        return files.Count > 0 ? files : null;
    }
}
