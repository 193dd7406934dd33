namespace Tracer.Bpf;

/// <summary>How module events are caught: the module-loading syscalls' tracepoints, or sys_exit; module_load for the name.</summary>
internal enum ModuleHook
{
    Syscall,
    SysExit,
}

internal static class ModuleHooks
{
    private const string Modules = "/proc/modules";

    /// <summary>
    /// TRACER_MODULE_HOOK=syscall or =sys_exit forces one. The syscalls' tracepoints need tracefs readable (root);
    /// a kernel built without loadable modules (CONFIG_MODULES unset) has neither them nor /proc/modules.
    /// </summary>
    public static readonly HookSet<ModuleHook> Set = new("module", "TRACER_MODULE_HOOK",
        new(ModuleHook.Syscall, "syscall", "finit_module, init_module and delete_module's tracepoints, and module_load",
            () => NoModules() ?? Tracefs.EventMissing("syscalls/sys_exit_finit_module")),
        new(ModuleHook.SysExit, "sys_exit", "sys_exit and module_load", NoModules));

    private static string? NoModules() => File.Exists(Modules) ? null : $"this kernel has no loadable modules ({Modules} is missing)";
}
