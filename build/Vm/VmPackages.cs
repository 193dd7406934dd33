namespace TracerBuild.Vm;

/// <summary>The Debian packages one VM is made of: a kernel image and the userland the initramfs needs.</summary>
public sealed record VmPackages(string Kernel, IReadOnlyList<string> Userland)
{
    /// <summary>Enough for a shell, the test's triggers (busybox applets) and a self-contained .NET program.</summary>
    public static readonly string[] UserlandPackages = ["busybox-static", "libc6", "libgcc-s1", "libstdc++6"];

    /// <summary>
    /// Every cell's userland is Debian 12's, whatever its kernel: the matrix varies the kernel. (The C library is a floor
    /// of its own: the tracer is linked against glibc 2.34 and Debian 12's libelf needs 2.33, so Debian 11's 2.31
    /// userland cannot run it, whichever kernel boots.)
    /// </summary>
    public const string UserlandSuite = "bookworm";

    private const string Manifest = "SHA256SUMS";

    public static VmPackages Ensure(string cacheDirectory, string archiveUri, DebianKernel kernel, Arch arch) => new(
        Cached(cacheDirectory, archiveUri, kernel.Suite, arch, "kernel", archive => [archive.Dependency(arch.DebianCloudKernel)]).Single(),
        Cached(cacheDirectory, archiveUri, UserlandSuite, arch, "userland", _ => UserlandPackages));

    /// <summary>
    /// Packages of a suite for an arch, cached under <paramref name="cacheDirectory"/>: a cached set is used only when every
    /// file's content matches the manifest written when it was downloaded, so a warm run makes no request at all.
    /// </summary>
    private static IReadOnlyList<string> Cached(string cacheDirectory, string archiveUri, string suite, Arch arch, string set, Func<DebianArchive, IEnumerable<string>> packages)
    {
        var folder = Path.Combine(cacheDirectory, "vm", $"{suite}-{arch.DebianArch}");
        var debs = Path.Combine(folder, set);
        var manifest = Path.Combine(folder, $"{set}.{Manifest}");
        if (Verified(manifest, debs) is { } cached)
            return cached;

        if (Directory.Exists(debs))
            Directory.Delete(debs, recursive: true);
        Directory.CreateDirectory(folder);
        File.Delete(manifest);
        var archive = new DebianArchive(Path.Combine(folder, "apt"), archiveUri, suite, arch);
        archive.Update();
        var wanted = packages(archive).ToList();
        Log.Line($"Downloading from Debian {suite} ({arch.DebianArch}, {archiveUri}): {string.Join(" ", wanted)}");
        var files = archive.Download(wanted, debs);
        Sha256.WriteSums(manifest, files);
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
