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

    /// <summary>The file handed to libbpf as btf_custom_path, null for the kernel's own; set once, before loading.</summary>
    public static string? CustomPath { get; set; }

    public static bool KernelOwn => CustomPath is null;

    /// <summary>Why a hook whose programs need the kernel's BTF cannot be taken, null when it can.</summary>
    public static string? KernelBtfMissing(string what) =>
        KernelOwn ? null : $"{what} needs the kernel's own BTF, and this kernel has none";

    /// <summary>The program of a pair on sys_exit: the BTF tracepoint's where the kernel has BTF, the raw one's elsewhere.</summary>
    public static string SysExit(string raw) => KernelOwn ? raw + Suffix : raw;
}
