namespace Tracer.Bpf;

/// <summary>How exec events are caught: sched_process_exec for every exec, with or without execve's own tracepoints for the failed ones.</summary>
internal enum ExecHook
{
    Full,
    SuccessOnly,
}

internal static class ExecHooks
{
    /// <summary>
    /// TRACER_EXEC_HOOK=full or =success-only forces one. A failed exec never reaches sched_process_exec: only the
    /// execve and execveat tracepoints see it, where the kernel has syscall tracepoints (CONFIG_FTRACE_SYSCALLS).
    /// </summary>
    public static readonly HookSet<ExecHook> Set = new("exec", "TRACER_EXEC_HOOK",
        new(ExecHook.Full, "full", "sched_process_exec, and execve and execveat's tracepoints for failed execs", () => Tracefs.EventMissing("syscalls/sys_exit_execve")),
        new(ExecHook.SuccessOnly, "success-only", "sched_process_exec; failed execs are not seen", () => null));
}
