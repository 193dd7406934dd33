using System.Text.RegularExpressions;

namespace TracerBuild.Preflight;

/// <summary>
/// One line of Preflight's report: what was checked, what was found, and the exact fix when it is wrong.
/// <see cref="Later"/> marks what a later target provides (a runtime pack Restore downloads).
/// </summary>
public sealed record PrerequisiteCheck(string Name, bool Ok, string Found, string Fix, bool Later = false);

/// <summary>Everything a build for some arches needs, checked without changing anything (Preflight prints it as a table).</summary>
public static partial class PrerequisiteReport
{
    public const int MinimumClang = 11;

    public static IReadOnlyList<PrerequisiteCheck> Check(IReadOnlyList<Arch> arches, bool selfContained, Func<string, string?> which)
    {
        var checks = new List<PrerequisiteCheck>
        {
            Clang(which("clang")),
            Tool("llvm-strip", which("llvm-strip"), "llvm"),
            Tool("bpftool", which("bpftool"), "bpftool"),
            File("libbpf headers", "/usr/include/bpf/bpf_helpers.h", "sudo apt-get install libbpf-dev"),
        };
        foreach (var arch in arches)
            checks.Add(Tool($"{arch.Name} linker", which($"{arch.GnuTriplet}-ld"), Prerequisites.BinutilsPackage(arch)));
        checks.Add(Dotnet(which("dotnet")));
        if (selfContained)
        {
            foreach (var arch in arches)
                checks.Add(RuntimePack(arch));
        }
        checks.Add(File("kernel BTF (tests, tracer)", "/sys/kernel/btf/vmlinux", "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y"));
        return checks;
    }

    public static string Table(IEnumerable<PrerequisiteCheck> checks)
    {
        var rows = checks.Select(c => (c.Name, Status: c.Later ? "later" : c.Ok ? "ok" : "MISSING", Detail: c.Ok ? c.Found : $"{c.Found}; fix: {c.Fix}")).ToList();
        var nameWidth = rows.Max(r => r.Name.Length) + 2;
        return string.Join('\n', rows.Select(r => $"{r.Name.PadRight(nameWidth)}{r.Status,-9}{r.Detail}"));
    }

    private static PrerequisiteCheck Clang(string? path)
    {
        const string fix = "sudo apt-get install clang";
        if (path is null)
            return new("clang", false, "not on PATH", fix);
        var version = Programs.TryRun(path, ["--version"]).StandardOutput;
        var major = ClangMajor().Match(version) is { Success: true } m ? int.Parse(m.Groups[1].Value) : 0;
        return new($"clang >= {MinimumClang}", major >= MinimumClang, $"clang {major} ({path})", $"{fix} (version {MinimumClang} or newer)");
    }

    private static PrerequisiteCheck Tool(string name, string? path, string package) =>
        new(name, path is not null, path ?? "not on PATH", $"sudo apt-get install {package}");

    private static PrerequisiteCheck File(string name, string path, string fix) =>
        new(name, System.IO.File.Exists(path), System.IO.File.Exists(path) ? path : $"no {path}", fix);

    private static PrerequisiteCheck Dotnet(string? path)
    {
        var version = path is null ? null : Programs.TryRun(path, ["--version"]).StandardOutput.Trim();
        return new(".NET SDK", version is not null && version.StartsWith("10.", StringComparison.Ordinal),
            version is null ? "dotnet not on PATH" : $"{version} ({path})", "install the .NET 10 SDK (global.json pins the feature band)");
    }

    /// <summary>Informational: Restore fetches a missing pack, or stops naming what the feed lacks.</summary>
    private static PrerequisiteCheck RuntimePack(Arch arch)
    {
        var id = $"microsoft.netcore.app.runtime.{arch.Rid}";
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Directory.Exists(Path.Combine(packages, id));
        return new($"{arch.Rid} runtime pack", true, cached ? $"cached in {packages}" : "not cached yet: Restore fetches it, or names what the feed lacks", "", Later: !cached);
    }

    [GeneratedRegex(@"clang version (\d+)")]
    private static partial Regex ClangMajor();
}

/// <summary>Turns clang failures that have a known cause into the fix (the usual traps of building BPF code on Debian/Ubuntu).</summary>
public static class CompilerHints
{
    public static string? For(string clangOutput) =>
        clangOutput.Contains("gnu/stubs-32.h", StringComparison.Ordinal)
            ? "a system header pulled in 32-bit glibc headers: include vmlinux.h and the bpf/ headers instead of libc ones, or install libc6-dev-i386"
        : clangOutput.Contains("asm/types.h", StringComparison.Ordinal)
            ? $"the kernel's asm headers live in the multiarch folder: add -I/usr/include/{Arch.Host.GnuTriplet} (Debian's linux-libc-dev), or use vmlinux.h instead of linux/ headers"
        : clangOutput.Contains("'vmlinux.h' file not found", StringComparison.Ordinal)
            ? "there is no vmlinux.h for this arch: the Vmlinux target fetches it (CompileBpf depends on it)"
        : null;
}
