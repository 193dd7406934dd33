using System.Runtime.InteropServices;

namespace TracerBuild;

/// <summary>
/// The arch table. Everything arch-specific in the build asks this record;
/// no other file spells the per-arch directory names or triplets.
/// </summary>
public sealed record Arch(
    string Name,
    IReadOnlyList<string> Aliases,
    string Rid,
    string ClangTargetArch,
    string VmlinuxDir,
    string GnuTriplet,
    ushort ElfMachine,
    string DebianArch,
    string QemuPackage,
    IReadOnlyList<string> QemuMachine,
    string SerialConsole) : ITable<Arch>
{
    public static readonly Arch X64 = new(
        "x64", ["x86_64", "amd64"], "linux-x64", "x86", "x86_64", "x86_64-linux-gnu", 62, "amd64",
        "qemu-system-x86", ["-M", "pc", "-cpu", "max"], "ttyS0");

    // pauth-impdef: qemu's default pointer-authentication algorithm is far slower under TCG.
    public static readonly Arch Arm64 = new(
        "arm64", ["aarch64"], "linux-arm64", "arm64", "aarch64", "aarch64-linux-gnu", 183, "arm64",
        "qemu-system-arm", ["-M", "virt", "-cpu", "max,pauth-impdef=on"], "ttyAMA0")
    {
        // Outline atomics (GCC 12's default, which first compiled libbpf here) call helpers such as __aarch64_ldadd4_sync
        // that Debian 11's libgcc lacks (the link failed); inline atomics need no helper.
        NativeCFlags = ["-mno-outline-atomics"],
    };

    /// <summary>C flags for the native libraries linked into the tracer (<see cref="Native.NativeLibraries"/>).</summary>
    public IReadOnlyList<string> NativeCFlags { get; init; } = [];

    /// <summary>
    /// The tarball of a version for this arch (the version without build metadata); a framework-dependent one has a
    /// name of its own, so it is never taken for the self-contained release tarball.
    /// </summary>
    public string TarballName(string version, bool selfContained = true) =>
        selfContained ? $"tracer-{version}-{Rid}" : $"tracer-{version}-{Rid}-framework-dependent";

    /// <summary>The CycloneDX SBOM published beside that tarball.</summary>
    public string SbomFileName(string version) => $"{TarballName(version)}.cdx.json";

    /// <summary>The kernel's name for the arch (uname -m), as qemu-user spells it.</summary>
    public string Machine => GnuTriplet[..GnuTriplet.IndexOf('-')];

    /// <summary>Debian's cross C compiler for the arch, and the folder its C library lives in.</summary>
    public string CrossCompiler => $"{GnuTriplet}-gcc";

    public string CrossSysroot => $"/usr/{GnuTriplet}";

    public IReadOnlyList<string> CrossPackages => [$"gcc-{GnuTriplet.Replace('_', '-')}", $"libc6-dev-{DebianArch}-cross"];

    /// <summary>The qemu that boots this arch's kernels (from <see cref="QemuPackage"/>).</summary>
    public string QemuSystem => $"qemu-system-{Machine}";

    /// <summary>Debian's kernel image for VMs of this arch: the cloud flavour boots fast and has BTF.</summary>
    public string DebianCloudKernel => $"linux-image-cloud-{DebianArch}";

    public static IReadOnlyList<Arch> All { get; } = [X64, Arm64];

    /// <summary>The arch of the machine the build runs on.</summary>
    public static Arch Host => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => X64,
        Architecture.Arm64 => Arm64,
        var other => throw new BuildInputException($"This machine's architecture ({other}) is not one the tracer supports: {Accepted}."),
    };

    public static string Accepted => $"{string.Join(", ", All.Select(a => $"{a.Name} ({string.Join(", ", a.Aliases)})"))}, host, all";

    public static (string Name, Func<Arch> Row) Keyword => ("host", () => Host);

    public static string Parameter => "arch";

    /// <summary>An <c>--arch</c> value names the arch or one of its aliases.</summary>
    public bool Matches(string name) =>
        Name.Equals(name, StringComparison.OrdinalIgnoreCase) ||
        Aliases.Contains(name, StringComparer.OrdinalIgnoreCase);

    public override string ToString() => Name;
}
