namespace Tracer.Bpf;

/// <summary>How module events are caught: the module-loading syscalls' tracepoints and module_load.</summary>
internal enum ModuleHook
{
    Tracepoint,
}

internal static class ModuleHooks
{
    private const string Modules = "/proc/modules";

    /// <summary>A kernel built without loadable modules (CONFIG_MODULES unset) has neither the syscalls nor /proc/modules.</summary>
    public static readonly HookSet<ModuleHook> Set = new("module", "TRACER_MODULE_HOOK",
        new Hook<ModuleHook>(ModuleHook.Tracepoint, "tracepoint", "finit_module, init_module and delete_module's tracepoints, and module_load",
            () => File.Exists(Modules) ? Tracefs.EventMissing("syscalls/sys_exit_finit_module") : $"this kernel has no loadable modules ({Modules} is missing)"));
}
