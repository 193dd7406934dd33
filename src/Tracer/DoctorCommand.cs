namespace Tracer;

/// <summary>
/// <c>tracer doctor</c>: every system check with pass/fail and, when it fails, the fix; then how open and connect
/// events are caught and, where the checks pass, a live connect that must come back as events.
/// </summary>
internal static class DoctorCommand
{
    public static int Run()
    {
        var checks = SystemChecks.All();
        foreach (var check in checks)
            Print(check.Passed ? "pass" : "FAIL", check.Name, check.Passed ? check.Detail : $"{check.Detail}; fix: {check.Fix}");
        var failure = checks.FirstOrDefault(c => !c.Passed)?.FailureCode;
        if (failure is null)
        {
            OpenPathLine();
            failure = LiveConnectCheck.Run();
        }
        else
        {
            ConnectPathWithoutLoading();
        }
        Console.WriteLine(failure is null ? "The tracer can run here." : "The tracer cannot run here until the failures above are fixed.");
        return (int)(failure ?? ExitCode.Ok);
    }

    /// <summary>A line of the report: status (pass, FAIL, skip), what was checked, what was found.</summary>
    public static void Print(string status, string name, string detail) => Console.WriteLine($"{status}  {name}: {detail}");

    /// <summary>How open events would be caught; tracefs is mounted for the look-up where it is not, as monitor does.</summary>
    private static void OpenPathLine() => PathLine("open", () =>
    {
        using var tracefs = OpenPaths.MountTracefs();
        var choice = OpenPaths.Choose();
        return $"via {OpenPaths.Name(choice.Path)} ({choice.Reason})";
    });

    /// <summary>Where nothing could be loaded, the path the tracer would try first.</summary>
    private static void ConnectPathWithoutLoading() => PathLine("connect", () =>
    {
        var choice = ConnectPaths.Choose();
        return $"via {ConnectPaths.Name(choice.Path)} ({choice.Reason})";
    });

    /// <summary>A pass line with the path an event would take, or a FAIL line where forcing one cannot be met.</summary>
    private static void PathLine(string name, Func<string> choose)
    {
        try
        {
            Print("pass", name, choose());
        }
        catch (TracerException e)
        {
            Print("FAIL", name, e.Message);
        }
    }
}
