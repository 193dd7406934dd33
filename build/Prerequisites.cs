using TracerBuild.Engine;

namespace TracerBuild;

/// <summary>The Debian/Ubuntu packages a build for some arches needs, and installing those that are missing.</summary>
public static class Prerequisites
{
    private static readonly string[] Tools = ["clang", "llvm", "libbpf-dev", "libelf-dev", "zlib1g-dev", "bpftool"];

    /// <summary>The native libraries packaged into the tarball from that arch's library dir, dependencies first (load order).</summary>
    public static readonly string[] PackagedLibraries = ["libz.so.1", "libelf.so.1", "libbpf.so.1"];

    /// <summary>The Debian packages those libraries come from.</summary>
    public static readonly string[] LibraryPackages = ["libbpf1", "libelf1", "zlib1g"];

    /// <summary>
    /// What the tests need besides the build's tools: the workflow lint runs shellcheck; build.cmd runs under wine, with a
    /// dotnet.exe stub compiled by mingw-w64.
    /// </summary>
    private static readonly string[] TestTools = ["shellcheck", "wine64", "gcc-mingw-w64-x86-64-win32"];

    public static IReadOnlyList<string> PackagesFor(IEnumerable<Arch> arches) =>
        [.. Tools, .. arches.SelectMany(a => LibraryPackages.Select(p => $"{p}:{a.DebianArch}"))];

    /// <summary>
    /// What the tests need on top: for each foreign arch, a cross compiler and qemu to prove its libraries load;
    /// shellcheck for the scripts' lint; wine and mingw-w64 for build.cmd.
    /// </summary>
    public static IReadOnlyList<string> TestPackagesFor(IEnumerable<Arch> arches) =>
        [.. arches.Where(a => a != Arch.Host).SelectMany(LibbpfProbe.Packages).Distinct(), .. TestTools];

    public static void Ensure(IReadOnlyList<Arch> arches, IReadOnlyList<string> extraPackages, IReadOnlyDictionary<string, string> environment)
    {
        IReadOnlyList<string> packages = [.. PackagesFor(arches), .. extraPackages];
        if (Programs.TryRun("dpkg", ["--print-architecture"]) is not { ExitCode: 0 } native)
            throw new BuildFailedException($"Preflight needs a Debian or Ubuntu machine (dpkg); elsewhere install {string.Join(", ", PackagesFor(arches).Concat(extraPackages))} yourself.");

        var nativeArch = native.Output.Trim();
        var foreign = Programs.TryRun("dpkg", ["--print-foreign-architectures"]).Lines.ToHashSet();
        var missingArches = arches.Select(a => a.DebianArch).Where(a => a != nativeArch && !foreign.Contains(a)).Distinct().ToList();
        var wanted = PackagesFor(arches).Concat(extraPackages).ToList();
        var missing = wanted.Where(p => !IsInstalled(p)).ToList();
        if (missing.Count == 0 && missingArches.Count == 0)
        {
            Log.Line($"All prerequisites are installed: {string.Join(" ", wanted)}");
            return;
        }

        var commands = missingArches.Select(a => new[] { "dpkg", "--add-architecture", a })
            .Append(["apt-get", "update"])
            .Append(["apt-get", "install", "-y", "--no-install-recommends", .. missing])
            .ToList();
        var isRoot = Environment.IsPrivilegedProcess;
        var isCi = environment.GetValueOrDefault("CI") is "true" or "1" || GitHubActions.IsRunningUnder(environment);
        if (!isRoot && !isCi)
        {
            throw new BuildFailedException(
                $"Missing prerequisites: {string.Join(" ", missing.Concat(missingArches.Select(a => $"(dpkg arch {a})")))}. " +
                $"Install them with: {string.Join(" && ", commands.Select(c => "sudo " + string.Join(' ', c)))}");
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

        var stillMissing = wanted.Where(p => !IsInstalled(p)).ToList();
        if (stillMissing.Count > 0)
            throw new BuildFailedException($"apt-get finished but these are still missing: {string.Join(" ", stillMissing)}.");
    }

    // Without an arch, dpkg-query prints one status per installed arch (zlib1g-dev of amd64 and arm64): one per line.
    private static bool IsInstalled(string package) =>
        Programs.TryRun("dpkg-query", ["-W", "-f=${db:Status-Status}\n", package]) is { ExitCode: 0 } result &&
        result.Lines.Any() && result.Lines.All(l => l.Trim() == "installed");
}
