namespace TracerBuild.Tests;

/// <summary>Runs a published install.sh the way its usage line says: its text on the standard input of <c>sh -s --</c>.</summary>
public static class InstallScriptRunner
{
    /// <summary>
    /// <paramref name="tools"/> is put first on PATH (a <c>uname</c> that answers for another arch); <paramref name="asNobody"/>
    /// runs the script as user nobody, for whom a root-owned folder is not writable.
    /// </summary>
    public static ProcessResult Run(string script, IEnumerable<string> arguments, string? tools = null, bool asNobody = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        var shell = asNobody ? "setpriv --reuid=65534 --regid=65534 --clear-groups sh" : "sh";
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["PATH"] = tools is null ? Environment.GetEnvironmentVariable("PATH")! : $"{tools}:{Environment.GetEnvironmentVariable("PATH")}",
        };
        return Programs.TryRun("/bin/sh", ["-c", $"script=$1; shift; exec {shell} -s -- \"$@\" < \"$script\"", "sh", script, .. arguments],
            environment: variables);
    }

    /// <summary>A tools folder whose <c>uname</c> prints <paramref name="machine"/> for <c>-m</c>: an arch no machine here has.</summary>
    public static string UnameSaying(string parent, string machine)
    {
        var folder = Directory.CreateDirectory(Path.Combine(parent, $"uname-{machine}")).FullName;
        var uname = Path.Combine(folder, "uname");
        File.WriteAllText(uname, $"#!/bin/sh\necho {machine}\n");
        File.SetUnixFileMode(uname, TarballEntry.Executable);
        return folder;
    }
}
