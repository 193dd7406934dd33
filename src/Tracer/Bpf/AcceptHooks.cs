namespace Tracer.Bpf;

/// <summary>How accepts are caught: accept and accept4's own exit tracepoints, or sys_exit.</summary>
internal enum AcceptHook
{
    Syscall,
    SysExit,
}

internal static class AcceptHooks
{
    /// <summary>
    /// TRACER_ACCEPT_HOOK=syscall or =sys_exit forces one. An accept's result is the new socket's fd, so no syscall
    /// argument is needed at exit; the tracepoints need tracefs readable (root), sys_exit runs for every syscall.
    /// </summary>
    public static readonly HookSet<AcceptHook> Set = new("accept", "TRACER_ACCEPT_HOOK",
        new(AcceptHook.Syscall, "syscall", "sys_exit_accept4 and sys_exit_accept", () => Tracefs.EventMissing("syscalls/sys_exit_accept4")),
        new(AcceptHook.SysExit, "sys_exit", "on sys_exit", () => null));
}
