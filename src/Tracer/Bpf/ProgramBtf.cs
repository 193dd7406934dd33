namespace Tracer.Bpf;

/// <summary>
/// The BTF libbpf relocates the programs against: the kernel's own (/sys/kernel/btf/vmlinux), or a file where the
/// kernel has none (one the tracer carries for that kernel, or one the user gives). With a file, only the programs that
/// need no kernel BTF are loaded: raw tracepoints instead of tp_btf, no bpf_get_current_task_btf. The BPF sources name
/// every other program *_btf, and the build checks that the rest use nothing that needs the kernel's BTF.
/// </summary>
internal static class ProgramBtf
{
    public const string Suffix = "_btf";

    public const string KernelPath = "/sys/kernel/btf/vmlinux";

    /// <summary>The running kernel's release, as uname -r prints it (read from procfs, so a test can stand another in).</summary>
    private const string ReleasePath = "/proc/sys/kernel/osrelease";

    /// <summary>The variable that gives a BTF file as --btf does.</summary>
    public const string Variable = "TRACER_BTF";

    /// <summary>A BTF file the user gave (--btf, else TRACER_BTF), null when none; set before the checks run.</summary>
    public static string? Given { get; set; } = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } file ? file : null;

    private static BtfChoice? _choice;

    private const string GiveFix = "give the BTF of the running kernel: its vmlinux, a raw .btf file, or one made by bpftool gen min_core_btf";

    /// <summary>The BTF the programs are relocated against, chosen once: see <see cref="Choose"/>.</summary>
    public static BtfChoice Choice => _choice ??= Choose();

    /// <summary>
    /// A file the user gave, whatever the kernel has (so a kernel whose own BTF is wrong can be run, and the set that
    /// needs none tested where it has BTF); else the kernel's own; else the one carried for this kernel's release.
    /// </summary>
    private static BtfChoice Choose()
    {
        if (Given is { } given)
        {
            if (!File.Exists(given))
                return BtfChoice.Failed($"--btf / {Variable}: no such file: {given}", ExitCode.Usage, GiveFix);
            if (!LooksLikeBtf(given))
                return BtfChoice.Failed($"--btf / {Variable}: {given} is not BTF (raw BTF starting with 0xeb9f, or an ELF file)", ExitCode.Usage, GiveFix);
            CustomPath = given;
            return new(true, $"from {given} ({new FileInfo(given).Length:N0} bytes), given", null);
        }
        // An empty file stands for none: what a test bind-mounts over it to hide it.
        if (File.Exists(KernelPath) && new FileInfo(KernelPath).Length > 0)
            return new(true, $"the kernel's own, {KernelPath}", null);
        var release = File.ReadAllText(ReleasePath).Trim();
        if (CarriedBtf.Find(release) is not { } carried)
        {
            var carries = CarriedBtf.Releases.Count > 0 ? $"it carries {string.Join(", ", CarriedBtf.Releases)}" : "it carries none";
            return BtfChoice.Failed($"this kernel ({release}) has no BTF ({KernelPath} is missing or empty) and this tracer carries none for it ({carries})", ExitCode.NoBtf,
                $"pass --btf FILE or set {Variable} to this kernel's BTF (README: kernels without BTF), or boot a kernel built with CONFIG_DEBUG_INFO_BTF=y");
        }
        CustomPath = CarriedBtf.InMemoryFile($"btf-{release}", carried);
        return new(true, $"carried for {release} ({carried.Length:N0} bytes), as {KernelPath} is missing or empty", null);
    }

    /// <summary>Raw BTF (its magic, either byte order) or an ELF file, which libbpf reads the .BTF section of.</summary>
    private static bool LooksLikeBtf(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            var read = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
            return read >= 2 && ((magic[0] == 0x9f && magic[1] == 0xeb) || (magic[0] == 0xeb && magic[1] == 0x9f)) ||
                read == 4 && magic.SequenceEqual("\u007fELF"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The file handed to libbpf as btf_custom_path, null for the kernel's own; set by the choice.</summary>
    public static string? CustomPath { get; private set; }

    public static bool KernelOwn => CustomPath is null;

    /// <summary>Why a hook whose programs need the kernel's BTF cannot be taken, null when it can.</summary>
    public static string? KernelBtfMissing(string what) =>
        KernelOwn ? null : $"{what} needs the kernel's own BTF, not the one the tracer runs on here";

    /// <summary>The program of a pair on sys_exit: the BTF tracepoint's where the kernel has BTF, the raw one's elsewhere.</summary>
    public static string SysExit(string raw) => KernelOwn ? raw + Suffix : raw;
}

/// <summary>Which BTF the tracer runs on, as doctor prints it; a failure says why there is none, with its exit code.</summary>
internal sealed record BtfChoice(bool Found, string Detail, ExitCode? Failure, string Fix = "")
{
    public static BtfChoice Failed(string why, ExitCode code, string fix) => new(false, why, code, fix);
}
