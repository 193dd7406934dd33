using System.Globalization;
using Tracer.Bpf;

namespace Tracer.Checks;

/// <summary>One thing the machine must offer, whether it does, and how to fix it when it does not.</summary>
internal sealed record Check(string Name, bool Passed, string Detail, string Fix, ExitCode FailureCode);

/// <summary>What the tracer needs from the machine: <c>tracer doctor</c> prints every check, <c>monitor</c> stops at the first failure.</summary>
internal static partial class SystemChecks
{
    [System.Text.RegularExpressions.GeneratedRegex(@"version `(GLIBC_[0-9.]+)' not found \(required by \S*?([^/\s]+)\)")]
    private static partial System.Text.RegularExpressions.Regex MissingGlibc();

    public const string PrivilegeFix = "run as root (sudo), or grant CAP_BPF and CAP_PERFMON";

    /// <summary>
    /// What bpf/tracer.bpf.c needs, on both arches: the ring buffer and bpf_ktime_get_boot_ns (5.8); tp_btf programs
    /// (5.5) and kprobes are older, and no helper newer than 5.8 is used.
    /// </summary>
    private static readonly Version MinimumKernel = new(5, 8);

    public static string MinimumKernelText => $"the tracer needs Linux {MinimumKernel} or later";

    private const int CapSysAdmin = 21;
    private const int CapSysResource = 24;
    private const int CapPerfmon = 38;
    private const int CapBpf = 39;

    /// <summary>The capabilities that matter to the tracer, as doctor names them.</summary>
    private static readonly (int Bit, string Name)[] Capabilities =
        [(CapBpf, "CAP_BPF"), (CapPerfmon, "CAP_PERFMON"), (CapSysResource, "CAP_SYS_RESOURCE"), (CapSysAdmin, "CAP_SYS_ADMIN")];

    public static IReadOnlyList<Check> All()
    {
        // One read of /proc/self/status serves every check that asks about capabilities.
        var capabilities = EffectiveCapabilities();
        return [Libbpf(), Kernel(), Btf(), Privileges(capabilities), CapabilityList(capabilities), LockedMemory.Check(Has(capabilities, CapSysResource))];
    }

    /// <summary>The running kernel's major.minor.</summary>
    public static Version KernelRelease => new(Environment.OSVersion.Version.Major, Math.Max(Environment.OSVersion.Version.Minor, 0));

    /// <summary>Whether a capability is in an effective set (the CapEff mask).</summary>
    private static bool Has(ulong capabilities, int capability) => (capabilities >> capability & 1) == 1;

    /// <summary>Throws the first failing check as a one-line error with its exit code.</summary>
    public static void Require()
    {
        if (All().FirstOrDefault(c => !c.Passed) is { } failed)
            throw new TracerException($"{failed.Detail}: {failed.Fix}", failed.FailureCode);
    }

    private static Check Kernel()
    {
        var release = KernelRelease;
        return new("kernel", release >= MinimumKernel,
            $"kernel {release}; {MinimumKernelText} (BPF ring buffer)",
            $"boot a Linux kernel {MinimumKernel} or later", ExitCode.KernelTooOld);
    }

    /// <summary>The BTF the programs are relocated against: the kernel's, else the one carried for it, or one given.</summary>
    private static Check Btf()
    {
        var choice = ProgramBtf.Choice;
        return new("BTF", choice.Found, choice.Detail, choice.Fix, choice.Failure ?? ExitCode.NoBtf);
    }

    /// <summary>Informational: which capabilities the tracer runs with, so a setcap is seen to have taken.</summary>
    private static Check CapabilityList(ulong capabilities)
    {
        var has = Capabilities.Where(c => Has(capabilities, c.Bit)).Select(c => c.Name).ToList();
        var lacks = Capabilities.Where(c => !Has(capabilities, c.Bit)).Select(c => c.Name).ToList();
        return new("capabilities", true,
            $"has {(has.Count > 0 ? string.Join(", ", has) : "none of them")}; lacks {(lacks.Count > 0 ? string.Join(", ", lacks) : "none")}",
            PrivilegeFix, ExitCode.NotPermitted);
    }

    private static Check Privileges(ulong capabilities)
    {
        var permitted = Has(capabilities, CapSysAdmin) || (Has(capabilities, CapBpf) && Has(capabilities, CapPerfmon));
        return new("privileges", permitted,
            permitted ? (Environment.IsPrivilegedProcess ? "running as root" : "CAP_BPF and CAP_PERFMON granted") : "not root and without CAP_BPF and CAP_PERFMON",
            PrivilegeFix, ExitCode.NotPermitted);
    }

    private static Check Libbpf()
    {
        var from = File.Exists(Path.Combine(NativeLibraries.BundledDirectory, LibBpf.Library)) ? NativeLibraries.BundledDirectory : "the system";
        try
        {
            var version = $"{LibBpf.MajorVersion()}.{LibBpf.MinorVersion()}";
            // A NativeAOT release links libbpf in: a call that worked with no libbpf mapped went to the tracer's own copy.
            var where = NativeLibraries.LoadedFile(LibBpf.Library) is { } file ? $"loaded from {file}" : "linked into the tracer";
            return new("libbpf", true, $"libbpf {version} {where}", "", ExitCode.NoLibbpf);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // The loader's reason when a bundled library was built against a newer C library than this system's.
            if (MissingGlibc().Match(e.Message) is { Success: true } glibc)
                return new("libbpf", false, $"{LibBpf.Library} could not be loaded from {from}: {glibc.Groups[2].Value} needs {glibc.Groups[1].Value}, which this system's C library lacks",
                    $"run the tracer on a system with glibc {glibc.Groups[1].Value["GLIBC_".Length..]} or later", ExitCode.NoLibbpf);
            return new("libbpf", false, $"{LibBpf.Library} could not be loaded from {from}",
                "install libbpf1 (1.0 or later) or run the tracer from its tarball, whose lib/ has it", ExitCode.NoLibbpf);
        }
    }

    /// <summary>The CapEff mask from /proc/self/status.</summary>
    private static ulong EffectiveCapabilities()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return line is null ? 0 : ulong.Parse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
