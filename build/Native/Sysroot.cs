using TracerBuild.Debian;

namespace TracerBuild.Native;

/// <summary>
/// What the tracer is compiled and linked against, per arch: Debian 11's C library and libgcc, and its libelf and zlib
/// (static and shared). Linking against the oldest C library the tracer supports, not the build machine's, is what keeps
/// its glibc floor (<see cref="Package.GlibcFloor"/>) whatever machine builds it.
/// </summary>
public static class Sysroot
{
    public const string Suite = "bullseye";

    /// <summary>
    /// libgcc-10-dev: with a sysroot, clang looks for crtbegin.o and libgcc there. base-files: the licence texts
    /// (common-licenses) that libelf's copyright file refers to.
    /// </summary>
    public static readonly string[] Packages =
        ["libc6", "libc6-dev", "linux-libc-dev", "libgcc-s1", "libgcc-10-dev", "libelf1", "libelf-dev", "zlib1g", "zlib1g-dev", "base-files"];

    private const string VersionsFile = "packages.tsv";

    public static IReadOnlyList<string> Download(string cacheDirectory, string archiveUri, Arch arch) =>
        DebianPackageCache.Ensure(cacheDirectory, archiveUri, Suite, arch, "sysroot", Packages);

    /// <summary>
    /// Unpacks the packages into <paramref name="folder"/> and records their versions. Absolute symbolic links (glibc's
    /// /lib64/ld-linux-x86-64.so.2) become relative, so they point into the sysroot rather than at the build machine.
    /// </summary>
    public static void Extract(IReadOnlyList<string> debs, AbsolutePath folder)
    {
        folder.DeleteDirectory();
        folder.CreateDirectory();
        var versions = new List<string>();
        foreach (var deb in debs)
        {
            Programs.Run("dpkg-deb", ["-x", deb, folder], echo: false);
            versions.Add(Programs.Run("dpkg-deb", ["--showformat=${Package}\t${Version}", "-W", deb], echo: false).Output.Trim());
        }
        IEnumerable<FileInfo> Links() =>
            Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => new FileInfo(p)).Where(f => f.LinkTarget is not null).ToList();
        foreach (var link in Links().Where(l => l.LinkTarget is ['/', ..]))
        {
            var target = Path.GetRelativePath(link.DirectoryName!, Path.Join(folder, link.LinkTarget));
            link.Delete();
            File.CreateSymbolicLink(link.FullName, target);
        }
        // Once every link points inside: a link to a package not unpacked here (libgcc-10-dev's libasan.so) only dangles.
        foreach (var link in Links().Where(l => !Path.Exists(l.FullName)))
            link.Delete();
        VersionsFileOf(folder).WriteAllText(string.Join("\n", versions.Order(StringComparer.Ordinal)) + "\n");
    }

    /// <summary>Written last: a sysroot that has it is complete.</summary>
    public static AbsolutePath VersionsFileOf(AbsolutePath folder) => folder / VersionsFile;

    /// <summary>The version of each package unpacked into a sysroot, by package name.</summary>
    public static IReadOnlyDictionary<string, string> Versions(AbsolutePath folder) =>
        File.ReadAllLines(VersionsFileOf(folder)).Select(l => l.Split('\t')).ToDictionary(p => p[0], p => p[1]);
}
