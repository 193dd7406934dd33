namespace TracerBuild.Vm;

/// <summary>The Debian packages one VM is made of: its kernel image and the userland the initramfs needs.</summary>
public sealed record VmPackages(string Kernel, IReadOnlyList<string> Userland)
{
    /// <summary>Enough for a shell, the test's triggers (busybox applets) and a self-contained .NET program.</summary>
    public static readonly string[] UserlandPackages = ["busybox-static", "libc6", "libgcc-s1", "libstdc++6"];

    private const string Manifest = "SHA256SUMS";

    /// <summary>
    /// The packages of a kernel's suite for an arch, cached under <paramref name="cacheDirectory"/>: a cached set is used
    /// only when every file's content matches the manifest written when it was downloaded; a warm run makes no request.
    /// </summary>
    public static VmPackages Ensure(string cacheDirectory, string archiveUri, DebianKernel kernel, Arch arch)
    {
        var folder = Path.Combine(cacheDirectory, "vm", $"{kernel.Suite}-{arch.DebianArch}");
        var debs = Path.Combine(folder, "debs");
        var manifest = Path.Combine(folder, Manifest);
        if (Verified(manifest, debs) is { } cached)
            return From(cached);

        Log.Line($"Downloading Debian {kernel.Suite} {arch.DebianArch} packages from {archiveUri}: the kernel image and {string.Join(", ", UserlandPackages)}");
        if (Directory.Exists(debs))
            Directory.Delete(debs, recursive: true);
        Directory.CreateDirectory(folder);
        File.Delete(manifest);
        var archive = new DebianArchive(Path.Combine(folder, "apt"), archiveUri, kernel.Suite, arch);
        archive.Update();
        var files = archive.Download([archive.Dependency(arch.DebianCloudKernel), .. UserlandPackages], debs);
        Sha256.WriteSums(manifest, files);
        return From(files);
    }

    private static VmPackages From(IReadOnlyList<string> files)
    {
        var kernel = files.Single(f => Path.GetFileName(f).StartsWith("linux-image-", StringComparison.Ordinal));
        return new(kernel, files.Where(f => f != kernel).ToList());
    }

    /// <summary>The manifest's files when every one is there with the recorded content; null otherwise (then re-downloaded).</summary>
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
                Log.Line($"Cached {name} is missing or its content changed; downloading the set again.");
                return null;
            }
            files.Add(file);
        }
        return files.Count == UserlandPackages.Length + 1 ? files : null;
    }
}
