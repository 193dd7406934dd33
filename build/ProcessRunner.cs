using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using TracerBuild.Engine;

namespace TracerBuild;

/// <summary>A finished process: <see cref="Output"/> interleaves both streams as they came, <see cref="StandardOutput"/> is stdout alone.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string StandardOutput)
{
    public IEnumerable<string> Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>The one way the build starts other programs: arguments passed as a list, output echoed and captured.</summary>
public static class ProcessRunner
{
    /// <summary>Set by the build's entry point: Ctrl-C or SIGTERM ends the running program, its children included.</summary>
    public static CancellationToken Interruption { get; set; }

    /// <summary>strerror(ENOSPC), as programs print it.</summary>
    private const string DiskFull = "No space left on device";

    /// <summary>Runs a program and throws <see cref="BuildFailedException"/> when it exits non-zero.</summary>
    public static ProcessResult Run(
        string program,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null,
        bool echo = true)
    {
        var result = TryRun(program, arguments, workingDirectory, environment, echo);
        if (result.ExitCode != 0 && result.Output.Contains(DiskFull, StringComparison.Ordinal))
            throw new BuildFailedException($"{program} failed: {DiskFull}. Free space on the disk it was writing to, then run the build again.");
        if (result.ExitCode != 0)
            throw new BuildFailedException($"{program} exited with code {result.ExitCode}{LastLine(result, echo)}");
        return result;
    }

    /// <summary>Runs a program and returns its exit code and output, whatever the exit code.</summary>
    public static ProcessResult TryRun(
        string program,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null,
        bool echo = false,
        CancellationToken? interruption = null)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            startInfo.Environment[name] = value;

        // Output arrives on other threads, which the arch prefix does not flow to.
        var prefix = Log.Prefix;
        if (echo)
            Log.Line($"> {program} {string.Join(' ', startInfo.ArgumentList.Select(Quote))}");

        var output = new StringBuilder();
        var standardOutput = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) =>
        {
            Collect(e.Data);
            if (e.Data is not null)
                standardOutput.Append(e.Data).Append('\n');
        };
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            throw new BuildFailedException($"'{program}' was not found on PATH; the Preflight target installs the build's prerequisites.");
        }
        using var interrupt = (interruption ?? Interruption).Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It had already exited.
            }
        });
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        lock (output)
            return new ProcessResult(process.ExitCode, output.ToString(), standardOutput.ToString());

        void Collect(string? line)
        {
            if (line is null)
                return;
            lock (output)
                output.Append(line).Append('\n');
            if (echo)
                Log.ToolLine(line, prefix);
        }
    }

    private static string LastLine(ProcessResult result, bool echoed) =>
        echoed || !result.Lines.Any() ? "." : $": {result.Lines.Last()}";

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./=:+,@%".Contains(c)) ? argument : $"'{argument}'";
}
