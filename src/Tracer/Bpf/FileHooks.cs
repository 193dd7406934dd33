namespace Tracer.Bpf;

/// <summary>
/// How file events (open, unlink, file_io) are caught: the file syscalls' own tracepoints, or the sys_exit tracepoint
/// every syscall passes.
/// </summary>
internal enum FileHook
{
    Syscall,
    SysExit,
}

internal static class FileHooks
{
    /// <summary>
    /// TRACER_FILE_HOOK=syscall or =sys_exit forces one. The file syscalls' tracepoints need a kernel that lets their
    /// programs read a task's registers (bpf_task_pt_regs, Linux 5.15) and tracefs mounted for the look-up
    /// (<see cref="Tracefs.MountForAttach"/>).
    /// </summary>
    public static readonly HookSet<FileHook> Set = new("file", "TRACER_FILE_HOOK",
        new(FileHook.Syscall, "syscall", "sys_exit_openat and the other file syscalls' tracepoints", SyscallTracepointsUnavailable),
        new(FileHook.SysExit, "sys_exit", "on sys_exit", () => null));

    private static string? SyscallTracepointsUnavailable()
    {
        if (ProgramBtf.KernelBtfMissing("reading a task's registers at the file syscalls' tracepoints") is { } noBtf)
            return noBtf;
        if (LibBpf.ProbeHelper(LibBpf.ProgramTypeTracepoint, LibBpf.HelperTaskPtRegs, 0) != 1)
            return "this kernel's tracepoint programs cannot read a task's registers: bpf_task_pt_regs is Linux 5.15+";
        return Tracefs.EventMissing("syscalls/sys_exit_openat");
    }
}
