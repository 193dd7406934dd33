namespace Tracer.Bpf;

/// <summary>How failed execs are caught (sched_process_exec reports the others): execve's own tracepoints, or sys_exit.</summary>
internal enum ExecHook
{
    Syscall,
    SysExit,
}

internal static class ExecHooks
{
    /// <summary>
    /// TRACER_EXEC_HOOK=syscall or =sys_exit forces one. A failed exec never reaches sched_process_exec: execve and
    /// execveat's tracepoints see it where tracefs can be read (root; CAP_BPF and CAP_PERFMON alone cannot), sys_exit,
    /// which every syscall passes, everywhere.
    /// </summary>
    public static readonly HookSet<ExecHook> Set = new("exec", "TRACER_EXEC_HOOK",
        new(ExecHook.Syscall, "syscall", "sched_process_exec, and execve and execveat's tracepoints for failed execs", () => Tracefs.EventMissing("syscalls/sys_exit_execve")),
        new(ExecHook.SysExit, "sys_exit", "sched_process_exec, and sys_exit for failed execs", () => null));
}
