namespace Tracer.Bpf;

/// <summary>How the socket syscalls (accept, the UDP flows' and DNS's sends and receives) are caught: their own exit tracepoints, or sys_exit.</summary>
internal enum SocketHook
{
    Syscall,
    SysExit,
}

internal static class SocketHooks
{
    /// <summary>
    /// TRACER_SOCKET_HOOK=syscall or =sys_exit forces one. The syscalls' tracepoints need tracefs readable (root) and,
    /// since sends and receives are read from their arguments at exit, bpf_task_pt_regs (Linux 5.15); sys_exit, which
    /// every syscall passes, needs neither.
    /// </summary>
    public static readonly HookSet<SocketHook> Set = new("socket", "TRACER_SOCKET_HOOK",
        new(SocketHook.Syscall, "syscall", "accept, send and receive syscalls' tracepoints", SyscallTracepointsUnavailable),
        new(SocketHook.SysExit, "sys_exit", "on sys_exit", () => null));

    private static string? SyscallTracepointsUnavailable()
    {
        if (ProgramBtf.KernelBtfMissing("reading a task's registers at the socket syscalls' tracepoints") is { } noBtf)
            return noBtf;
        if (LibBpf.ProbeHelper(LibBpf.ProgramTypeTracepoint, LibBpf.HelperTaskPtRegs, 0) != 1)
            return "this kernel's tracepoint programs cannot read a task's registers: bpf_task_pt_regs is Linux 5.15+";
        return Tracefs.EventMissing("syscalls/sys_exit_sendto");
    }
}
