namespace Tracer;

/// <summary><c>tracer doctor</c>: every system check with pass/fail and, when it fails, the fix.</summary>
internal static class DoctorCommand
{
    public static int Run()
    {
        var checks = SystemChecks.All();
        foreach (var check in checks)
            Console.WriteLine(check.Passed ? $"pass  {check.Name}: {check.Detail}" : $"FAIL  {check.Name}: {check.Detail}; fix: {check.Fix}");
        var failed = checks.FirstOrDefault(c => !c.Passed);
        Console.WriteLine(failed is null ? "The tracer can run here." : "The tracer cannot run here until the failures above are fixed.");
        return (int)(failed?.FailureCode ?? ExitCode.Ok);
    }
}
