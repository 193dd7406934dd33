using System.Runtime.InteropServices;

namespace Tracer;

/// <summary>How open events are caught: the open syscalls' own tracepoints, or the sys_exit tracepoint every syscall passes.</summary>
internal enum OpenPath
{
    SyscallTracepoints,
    SysExit,
}

/// <summary>The path chosen, and why.</summary>
internal sealed record OpenPathChoice(OpenPath Path, string Reason);

internal static partial class OpenPaths
{
    private const string Tracefs = "/sys/kernel/tracing";

    /// <summary>Where libbpf looks first for a tracepoint's id (it uses tracefs only when this is missing).</summary>
    private const string DebugfsTracing = "/sys/kernel/debug/tracing";

    /// <summary>Forces a path (syscall or sys_exit), so both can be tested on a kernel that has the first.</summary>
    public const string Variable = "TRACER_OPEN_PATH";

    /// <summary>
    /// The open syscalls' tracepoints where the kernel has them and lets their programs read a task's registers
    /// (bpf_task_pt_regs, Linux 5.15), else sys_exit; bad or unmet forcing throws one line. Call with tracefs mounted
    /// (<see cref="MountTracefs"/>).
    /// </summary>
    public static OpenPathChoice Choose()
    {
        var forced = Environment.GetEnvironmentVariable(Variable);
        return forced switch
        {
            null or "" => SyscallTracepointsUnavailable() is { } why
                ? new(OpenPath.SysExit, why)
                : new(OpenPath.SyscallTracepoints, "sys_exit_openat and the other open syscalls' tracepoints"),
            "sys_exit" => new(OpenPath.SysExit, $"{Variable}=sys_exit"),
            "syscall" => SyscallTracepointsUnavailable() is { } unavailable
                ? throw new TracerException($"{Variable}=syscall, but {unavailable}; unset it to use sys_exit")
                : new(OpenPath.SyscallTracepoints, $"{Variable}=syscall"),
            _ => throw new TracerException($"{Variable} takes syscall or sys_exit, not '{forced}'"),
        };
    }

    /// <summary>The names <see cref="Variable"/> takes.</summary>
    public static string Name(OpenPath path) => path == OpenPath.SyscallTracepoints ? "syscall" : "sys_exit";

    private static string? SyscallTracepointsUnavailable()
    {
        if (LibBpf.ProbeHelper(LibBpf.ProgramTypeTracepoint, LibBpf.HelperTaskPtRegs, 0) != 1)
            return "this kernel's tracepoint programs cannot read a task's registers: bpf_task_pt_regs is Linux 5.15+";
        var id = Path.Combine(Directory.Exists(DebugfsTracing) ? DebugfsTracing : Tracefs, "events/syscalls/sys_exit_openat/id");
        return File.Exists(id) ? null : $"{id} is missing";
    }

    /// <summary>
    /// Mounts tracefs where neither it nor debugfs's tracing folder is: libbpf reads a tracepoint's id there to attach.
    /// Disposing unmounts what was mounted, so the tracer leaves the mounts as it found them.
    /// </summary>
    public static IDisposable? MountTracefs()
    {
        if (Directory.Exists(DebugfsTracing) || Directory.Exists(Path.Combine(Tracefs, "events")))
            return null;
        return Mount("tracefs", Tracefs, "tracefs", 0, 0) == 0 ? new Unmount() : null;
    }

    private sealed class Unmount : IDisposable
    {
        public void Dispose() => Umount2(Tracefs, MntDetach);
    }

    private const int MntDetach = 2;

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mount(string source, string target, string type, nuint flags, nint data);

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2(string target, int flags);
}
