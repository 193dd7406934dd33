using TracerBuild.Package;

namespace TracerBuild.Preflight;

/// <summary>The Debian/Ubuntu packages a build for some arches needs, and installing those that are missing.</summary>
public static class Prerequisites
{
    /// <summary>
    /// clang, bpftool and libbpf's headers compile the BPF code; make and Debian's keyring build libbpf against the
    /// sysroot fetched through the build's own apt state (<see cref="Native.Sysroot"/>); lz4 and zstd decompress the
    /// x86 kernels whose BTF the tracer carries (<see cref="KernelBtf.PayloadCompression"/>).
    /// </summary>
    private static readonly string[] Tools =
        ["clang", "llvm", "libbpf-dev", "libelf-dev", "zlib1g-dev", "bpftool", "make", "debian-archive-keyring", "lz4", "zstd"];

    /// <summary>
    /// The linker and archiver for an arch's native code (clang, a tool, compiles it): the machine's own binutils, or
    /// Debian's cross binutils for the other arch.
    /// </summary>
    public static string BinutilsPackage(Arch arch) => arch == Arch.Host ? "binutils" : $"binutils-{arch.GnuTriplet.Replace('_', '-')}";

    /// <summary>What the tests need besides the build's tools: the workflow lint runs shellcheck.</summary>
    private static readonly string[] TestTools = ["shellcheck"];

    /// <summary>
    /// The build.cmd tests run it under wine with a dotnet.exe stub compiled by mingw-w64: about 1 GB of packages, so
    /// installed only when those tests are asked for (elsewhere they run where wine is installed, else skip saying so).
    /// </summary>
    private static readonly string[] WindowsTestTools = ["wine64", "gcc-mingw-w64-x86-64-win32"];

    public static IReadOnlyList<string> PackagesFor(IEnumerable<Arch> arches) =>
        [.. Tools, .. arches.Select(BinutilsPackage).Distinct()];

    /// <summary>
    /// What the tests need on top: for each foreign arch, a cross compiler and qemu to prove its libraries load, and its
    /// libstdc++ (the .NET runtime needs it) to run its installed tracer under qemu; shellcheck for the scripts' lint;
    /// with <paramref name="windowsTests"/>, wine and mingw-w64 for build.cmd.
    /// </summary>
    public static IReadOnlyList<string> TestPackagesFor(IEnumerable<Arch> arches, bool windowsTests) =>
    [
        .. arches.Where(a => a != Arch.Host).SelectMany(a => LibbpfProbe.Packages(a).Append($"libstdc++6:{a.DebianArch}")).Distinct(),
        .. TestTools,
        .. windowsTests ? WindowsTestTools : [],
    ];

    /// <summary>What VmTest needs: each arch's qemu (Debian's keyring, for the archive its kernels come from, is a tool).</summary>
    public static IReadOnlyList<string> VmPackagesFor(IEnumerable<Arch> arches) =>
        [.. arches.Select(a => a.QemuPackage)];

    public static void Ensure(IReadOnlyList<Arch> arches, IReadOnlyList<string> extraPackages)
    {
        IReadOnlyList<string> packages = [.. PackagesFor(arches), .. extraPackages];
        if (Programs.TryRun("dpkg", ["--print-architecture"]) is not { ExitCode: 0 } native)
            throw new BuildFailedException($"Preflight needs a Debian or Ubuntu machine (dpkg); elsewhere install {string.Join(", ", PackagesFor(arches).Concat(extraPackages))} yourself.");

        var nativeArch = native.Output.Trim();
        var foreign = Programs.TryRun("dpkg", ["--print-foreign-architectures"]).Lines.ToHashSet();
        var missingArches = arches.Select(a => a.DebianArch).Where(a => a != nativeArch && !foreign.Contains(a)).Distinct().ToList();
        var wanted = PackagesFor(arches).Concat(extraPackages).ToList();
        var missing = wanted.Where(p => !IsInstalled(p, nativeArch)).ToList();
        if (missing.Count == 0 && missingArches.Count == 0)
        {
            Log.Line($"All prerequisites are installed: {string.Join(" ", wanted)}");
            return;
        }

        var commands = missingArches.Select(a => new[] { "dpkg", "--add-architecture", a })
            // Another apt-get (unattended upgrades, a second build) holding dpkg's lock is waited for, not a failure.
            .Append(["apt-get", "-o", "DPkg::Lock::Timeout=600", "update"])
            .Append(["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "--no-install-recommends", .. missing])
            .ToList();
        // Root installs; anyone else only through a sudo that is there and asks no password (as on CI runners): detected, not assumed.
        var isRoot = Environment.IsPrivilegedProcess;
        var sudoInstalled = Programs.TryRun("/bin/sh", ["-c", "command -v sudo"]).ExitCode == 0;
        if (!isRoot && !(sudoInstalled && Programs.TryRun("sudo", ["-n", "true"]).ExitCode == 0))
        {
            var how = sudoInstalled
                ? string.Join(" && ", commands.Select(c => "sudo " + string.Join(' ', c)))
                : $"(as root) {string.Join(" && ", commands.Select(c => string.Join(' ', c)))}";
            throw new BuildFailedException(
                $"Missing prerequisites: {string.Join(" ", missing.Concat(missingArches.Select(a => $"(dpkg arch {a})")))}. " +
                $"Install them with: {how}");
        }

        Log.Line($"Installing missing prerequisites: {string.Join(" ", missing)}");
        var apt = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        foreach (var command in commands)
        {
            if (isRoot)
                Programs.Run(command[0], command[1..], environment: apt);
            else
                Programs.Run("sudo", ["-E", .. command], environment: apt);
        }

        var stillMissing = wanted.Where(p => !IsInstalled(p, nativeArch)).ToList();
        if (stillMissing.Count > 0)
            throw new BuildFailedException($"apt-get finished but these are still missing: {string.Join(" ", stillMissing)}.");
    }

    /// <summary>
    /// Whether dpkg has the package installed: PKG:ARCH for that arch; a bare name for the native arch (or arch all).
    /// dpkg-query answers a bare name once per installed arch ("installedinstalled" without a separator), so each answer
    /// is a line of its own, with its arch.
    /// </summary>
    internal static bool IsInstalled(string package, string nativeArch) =>
        Programs.TryRun("dpkg-query", ["-W", "-f=${Architecture} ${db:Status-Status}\n", package]) is { ExitCode: 0 } result &&
        IsInstalled(package, nativeArch, result.StandardOutput);

    internal static bool IsInstalled(string package, string nativeArch, string dpkgQueryOutput) =>
        dpkgQueryOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2))
            .Any(answer => answer is [var arch, "installed"] && (package.Contains(':') || arch == nativeArch || arch == "all"));
}
