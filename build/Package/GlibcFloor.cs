namespace TracerBuild.Package;

/// <summary>
/// The oldest glibc a tarball runs on: RHEL 8 and Debian 11's era. Every ELF file of a tarball binds no symbol to a
/// newer GLIBC_ version, and the NativeAOT tracer needs no library but glibc's own. The READMEs print this version.
/// </summary>
public static class GlibcFloor
{
    public static readonly Version Version = new(2, 28);

    public static string Text => $"GLIBC_{Version}";

    /// <summary>The libraries glibc itself provides: all a tracer with libbpf, libelf and zlib linked in may need.</summary>
    public static readonly string[] GlibcLibraries =
        ["libc.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libpthread.so.0", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"];

    /// <summary>
    /// Throws at the first file that requires a glibc version above the floor, naming the file, the version and a symbol
    /// bound to it. The loader checks every required version (.gnu.version_r), symbol or not; a GLIBC_ name that is not
    /// a number (GLIBC_ABI_DT_RELR of 2.36, GLIBC_PRIVATE) is above any floor.
    /// </summary>
    public static void Verify(IEnumerable<TarballEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.SourcePath is not { } path || !Elf.IsElf(path))
                continue;
            var above = Elf.RequiredVersions(path)
                .Where(r => r.StartsWith("GLIBC_", StringComparison.Ordinal) && !WithinFloor(r))
                .OrderByDescending(r => GlibcVersion(r) is { } v ? Comparable(v) : (int.MaxValue, 0, 0))
                .FirstOrDefault();
            if (above is null)
                continue;
            var symbol = Elf.ImportedSymbols(path).FirstOrDefault(s => s.Version == above);
            var what = symbol is null ? $"{above} (required, though no symbol is bound to it)" : $"{symbol.Name}@{above}";
            throw new BuildFailedException(
                $"{path} (packaged as {entry.Name}) needs {what}, above the glibc floor {Text}: link it against the sysroot (target NativeLibraries).");
        }
    }

    private static bool WithinFloor(string versionName) =>
        GlibcVersion(versionName) is { } version && Comparable(version).CompareTo(Comparable(Version)) <= 0;

    /// <summary>Throws when the executable needs a library glibc does not provide.</summary>
    public static void VerifyOnlyGlibcNeeded(TarballEntry executable)
    {
        var others = Elf.NeededLibraries(executable.SourcePath!).Except(GlibcLibraries).ToList();
        if (others.Count > 0)
            throw new BuildFailedException(
                $"{executable.SourcePath} (packaged as {executable.Name}) needs {string.Join(", ", others)}: a NativeAOT tracer links everything but glibc in.");
    }

    /// <summary>2.28 for GLIBC_2.28; null for other version names (GCC_3.0, GLIBC_PRIVATE).</summary>
    public static Version? GlibcVersion(string versionName) =>
        versionName.StartsWith("GLIBC_", StringComparison.Ordinal) && System.Version.TryParse(versionName["GLIBC_".Length..], out var version) ? version : null;

    /// <summary>2.28 and 2.28.0 alike (System.Version puts 2.28 before 2.28.0).</summary>
    private static (int, int, int) Comparable(Version version) => (version.Major, version.Minor, Math.Max(version.Build, 0));
}
