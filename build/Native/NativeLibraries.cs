namespace TracerBuild.Native;

/// <summary>
/// The native libraries one arch's tracer is made with, all against its <see cref="Sysroot"/>: libbpf built from its
/// pinned source, Debian 11's libelf and zlib, and src/Tracer/Native/glibc-compat.c. Static archives for the NativeAOT
/// tracer, which links them in; shared ones for the tarball's lib/ when the tracer runs on the JIT. The licences of
/// all three travel with them.
/// </summary>
public sealed record NativeLibraries(AbsolutePath Folder)
{
    public AbsolutePath SysrootFolder => Folder / "sysroot";
    public AbsolutePath Static => Folder / "static";
    public AbsolutePath Shared => Folder / "shared";
    public AbsolutePath Licenses => Folder / "licenses";

    /// <summary>The shared libraries of a JIT tracer's lib/, by soname, dependencies first (the order they load in).</summary>
    public static readonly string[] SharedFiles = ["libz.so.1", "libelf.so.1", "libbpf.so.1"];

    /// <summary>
    /// The licence files of <see cref="Licenses"/> as the tarball's licenses/ holds them, each with where it comes from:
    /// a path in libbpf's source tree, or one in the sysroot (Debian's copyright files; elfutils' refers to the licence
    /// texts by name, which base-files holds).
    /// </summary>
    private static readonly (string File, bool InLibbpfSource, string From)[] LicenseSources =
    [
        ("libbpf/LICENSE", true, "LICENSE"),
        ("libbpf/LICENSE.BSD-2-Clause", true, "LICENSE.BSD-2-Clause"),
        ("libbpf/LICENSE.LGPL-2.1", true, "LICENSE.LGPL-2.1"),
        ("libelf/copyright", false, "usr/share/doc/libelf1/copyright"),
        ("libelf/GPL-2", false, "usr/share/common-licenses/GPL-2"),
        ("libelf/GPL-3", false, "usr/share/common-licenses/GPL-3"),
        ("libelf/LGPL-3", false, "usr/share/common-licenses/LGPL-3"),
        ("zlib/copyright", false, "usr/share/doc/zlib1g/copyright"),
    ];

    public static IReadOnlyList<string> LicenseFiles { get; } = [.. LicenseSources.Select(l => l.File)];

    /// <summary>The components linked in, for the SBOM: where each comes from and its licence.</summary>
    public IReadOnlyList<NativeComponent> Components(Arch arch)
    {
        var debian = Sysroot.Versions(SysrootFolder);
        NativeComponent FromDebian(string name, string staticPackage, string sharedPackage, string staticFile, string sharedFile, string license) => new(
            name, debian[staticPackage], $"Debian {Sysroot.Suite}'s {staticPackage} and {sharedPackage} ({arch.DebianArch})",
            $"pkg:deb/debian/{staticPackage}@{Uri.EscapeDataString(debian[staticPackage])}?arch={arch.DebianArch}&distro=debian-{Sysroot.Suite}",
            Static / staticFile, Shared / sharedFile, license);
        return
        [
            new("libbpf", LibbpfSource.Version, $"built from {LibbpfSource.FileName} (sha256 {LibbpfSource.Sha256})",
                $"pkg:github/libbpf/libbpf@v{LibbpfSource.Version}", Static / "libbpf.a", Shared / "libbpf.so.1", "LGPL-2.1-only OR BSD-2-Clause"),
            // elfutils' libraries (not its tools): see licenses/libelf/copyright.
            FromDebian("libelf", "libelf-dev", "libelf1", "libelf.a", "libelf.so.1", "LGPL-3.0-or-later OR GPL-2.0-or-later"),
            FromDebian("zlib", "zlib1g-dev", "zlib1g", "libz.a", "libz.so.1", "Zlib"),
        ];
    }

    /// <summary>Builds everything into <see cref="Folder"/> from the sysroot's packages and libbpf's source tarball.</summary>
    public void Build(Arch arch, IReadOnlyList<string> sysrootPackages, AbsolutePath libbpfTarball, AbsolutePath compatSource, AbsolutePath workFolder)
    {
        Folder.DeleteDirectory();
        Sysroot.Extract(sysrootPackages, SysrootFolder);
        foreach (var folder in new[] { Static, Shared }.Concat(LicenseFiles.Select(f => (Licenses / f).Parent)).Distinct())
            folder.CreateDirectory();

        Programs.Run("tar", ["-xzf", libbpfTarball, "-C", workFolder], echo: false);
        var source = workFolder / LibbpfSource.TopFolder;
        var objects = workFolder / "libbpf-objects";
        // clang, as NativeAOT links with: given a sysroot it reads only that sysroot's headers and libraries (Debian's
        // cross GCC searches its own, newer C library first). -g0 and the prefix map keep build paths out of the objects.
        var compiler = $"clang --target={arch.GnuTriplet}";
        var sysroot = $"--sysroot={SysrootFolder}";
        var flags = string.Join(' ', [sysroot, "-fPIC", "-g0", $"-ffile-prefix-map={workFolder}/=", .. arch.NativeCFlags]);
        Programs.Run("make", ["-C", source / "src", $"-j{Environment.ProcessorCount}", "NO_PKG_CONFIG=1", $"OBJDIR={objects}",
            $"CC={compiler}", $"AR={arch.GnuTriplet}-ar", $"EXTRA_CFLAGS={flags}", $"EXTRA_LDFLAGS={sysroot}",
            objects / "libbpf.a", objects / $"libbpf.so.{LibbpfSource.Version}"], echo: false);
        (objects / "libbpf.a").CopyTo(Static / "libbpf.a");
        (objects / $"libbpf.so.{LibbpfSource.Version}").CopyTo(Shared / "libbpf.so.1");

        var compat = workFolder / "glibc-compat.o";
        Programs.Run("clang", [$"--target={arch.GnuTriplet}", sysroot, "-O2", "-fPIC", "-g0", "-Wall", "-Werror", "-c", compatSource, "-o", compat], echo: false);
        Programs.Run($"{arch.GnuTriplet}-ar", ["rcD", Static / "libglibc-compat.a", compat], echo: false);

        var libraries = SysrootFolder / "usr" / "lib" / arch.GnuTriplet;
        var lib = SysrootFolder / "lib" / arch.GnuTriplet;
        (libraries / "libelf.a").CopyTo(Static / "libelf.a");
        (libraries / "libz.a").CopyTo(Static / "libz.a");
        // The real files behind the sonames' links.
        AbsolutePath.Of(new FileInfo(libraries / "libelf.so.1").ResolveLinkTarget(true)!.FullName).CopyTo(Shared / "libelf.so.1");
        AbsolutePath.Of(new FileInfo(lib / "libz.so.1").ResolveLinkTarget(true)!.FullName).CopyTo(Shared / "libz.so.1");
        foreach (var (file, inLibbpfSource, from) in LicenseSources)
            ((inLibbpfSource ? source : SysrootFolder) / from).CopyTo(Licenses / file);
    }
}

/// <summary>One native component of the tracer: its version, its origin, its files and its licence (an SPDX expression).</summary>
public sealed record NativeComponent(string Name, string Version, string Origin, string Purl, AbsolutePath StaticFile, AbsolutePath SharedFile, string License);
