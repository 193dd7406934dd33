using Tracer.Bpf;
using Tracer.Checks;

namespace Tracer.Commands;

/// <summary>
/// <c>tracer doctor</c>: every system check with pass/fail and, when it fails, the fix; then how open and connect
/// events are caught and, where the checks pass, a live connect that must come back as events.
/// </summary>
internal static class DoctorCommand
{
    public static ExitCode Run()
    {
        var checks = SystemChecks.All();
        foreach (var check in checks)
            Print(check.Passed ? "pass" : "FAIL", check.Name, check.Passed ? check.Detail : $"{check.Detail}; fix: {check.Fix}");
        var failure = checks.FirstOrDefault(c => !c.Passed)?.FailureCode;
        if (failure is null)
        {
            using (Tracefs.MountForAttach())
            {
                HookLine(ExecHooks.Set);
                HookLine(FileHooks.Set);
                HookLine(SocketHooks.Set);
                HookLine(ModuleHooks.Set);
            }
            failure = LiveConnectCheck.Run();
        }
        else
        {
            // Nothing could be loaded: the hook the tracer would try first.
            HookLine(ConnectHooks.Set);
        }
        Console.WriteLine(failure is null ? "The tracer can run here." : "The tracer cannot run here until the failures above are fixed.");
        return failure ?? ExitCode.Ok;
    }

    /// <summary>A line of the report: status (pass, FAIL, skip), what was checked, what was found.</summary>
    public static void Print(string status, string name, string detail) => Console.WriteLine($"{status}  {name}: {detail}");

    /// <summary>
    /// A pass line with the hook a capability would take; a FAIL line where forcing one cannot be met; a skip line where
    /// this kernel offers the capability no hook (the tracer leaves it out of --events all).
    /// </summary>
    private static void HookLine<T>(HookSet<T> hooks) where T : struct, Enum
    {
        try
        {
            Print("pass", hooks.Capability, hooks.Choose().Via);
        }
        catch (TracerException e)
        {
            Print(hooks.Forced ? "FAIL" : "skip", hooks.Capability, e.Message);
        }
    }
}
