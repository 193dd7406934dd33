namespace Tracer.Bpf;

/// <summary>How open events are caught: the open syscalls' own tracepoints, or the sys_exit tracepoint every syscall passes.</summary>
internal enum OpenHook
{
    Syscall,
    SysExit,
}

internal static class OpenHooks
{
    /// <summary>
    /// TRACER_OPEN_HOOK=syscall or =sys_exit forces one. The open syscalls' tracepoints need a kernel that lets their
    /// programs read a task's registers (bpf_task_pt_regs, Linux 5.15) and tracefs mounted for the look-up
    /// (<see cref="Tracefs.MountForAttach"/>).
    /// </summary>
    public static readonly HookSet<OpenHook> Set = new("open", "TRACER_OPEN_HOOK",
        new(OpenHook.Syscall, "syscall", "sys_exit_openat and the other open syscalls' tracepoints", SyscallTracepointsUnavailable),
        new(OpenHook.SysExit, "sys_exit", "on sys_exit", () => null));

    private static string? SyscallTracepointsUnavailable()
    {
        if (LibBpf.ProbeHelper(LibBpf.ProgramTypeTracepoint, LibBpf.HelperTaskPtRegs, 0) != 1)
            return "this kernel's tracepoint programs cannot read a task's registers: bpf_task_pt_regs is Linux 5.15+";
        return Tracefs.EventMissing("syscalls/sys_exit_openat");
    }
}
