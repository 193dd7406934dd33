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

    /// <summary>Throws, naming the file, the symbol and its version, at the first symbol above the floor.</summary>
    public static void Verify(IEnumerable<TarballEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.SourcePath is not { } path || !Elf.IsElf(path))
                continue;
            var above = Elf.ImportedSymbols(path)
                .Where(s => GlibcVersion(s.Version) is { } version && Comparable(version).CompareTo(Comparable(Version)) > 0)
                .MaxBy(s => Comparable(GlibcVersion(s.Version)!));
            if (above is not null)
                throw new BuildFailedException(
                    $"{path} (packaged as {entry.Name}) needs {above.Name}@{above.Version}, above the glibc floor {Text}: link it against the sysroot (target NativeLibraries).");
        }
    }

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
