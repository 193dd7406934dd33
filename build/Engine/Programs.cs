using System.ComponentModel;
using System.Text;
using CliWrap;

namespace Engine;

/// <summary>A finished program: <see cref="Output"/> interleaves both streams as they came, <see cref="StandardOutput"/> is stdout alone.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string StandardOutput)
{
    public IEnumerable<string> Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// The one way the build and its tests start other programs, through CliWrap: arguments passed as a list, stdin
/// empty, output captured and optionally echoed (prefixed, secrets redacted by <see cref="Log"/>).
/// </summary>
public static class Programs
{
    private const int TailLines = 3;

    /// <summary>Set by the build's entry point: Ctrl-C or SIGTERM ends the running program, its children included.</summary>
    public static CancellationToken Interruption { get; set; }

    /// <summary>Set by the build's entry point: what to do about a program that is not installed (<see cref="BuildBase.MissingProgramAdvice"/>).</summary>
    public static string MissingProgramAdvice { get; set; } = "install it first";

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
            throw new BuildFailedException($"{program} exited with code {result.ExitCode}{Tail(result)}");
        return result;
    }

    /// <summary>
    /// Runs a program and returns its exit code and output, whatever the exit code. An interruption kills its whole
    /// process tree (CliWrap's forceful cancellation) and throws <see cref="BuildFailedException"/>.
    /// </summary>
    public static ProcessResult TryRun(
        string program,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null,
        bool echo = false,
        CancellationToken? interruption = null)
    {
        var argumentList = arguments.ToList();
        // Output arrives on other threads, which the prefix does not flow to.
        var prefix = Log.Prefix;
        if (echo)
            Log.Line($"> {program} {string.Join(' ', argumentList.Select(Quote))}");

        var output = new StringBuilder();
        var standardOutput = new StringBuilder();
        var command = Cli.Wrap(program)
            .WithArguments(argumentList)
            .WithWorkingDirectory(workingDirectory is { Length: > 0 } ? workingDirectory : Directory.GetCurrentDirectory())
            .WithEnvironmentVariables((environment ?? new Dictionary<string, string>()).ToDictionary(e => e.Key, e => (string?)e.Value))
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line =>
            {
                Collect(line);
                lock (output)
                    standardOutput.Append(line).Append('\n');
            }))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(Collect));

        var token = interruption ?? Interruption;
        try
        {
            var result = command.ExecuteAsync(token).Task.GetAwaiter().GetResult();
            lock (output)
                return new ProcessResult(result.ExitCode, output.ToString(), standardOutput.ToString());
        }
        catch (Win32Exception)
        {
            throw new BuildFailedException($"'{program}' was not found on PATH or cannot be run: {MissingProgramAdvice}.");
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw new BuildFailedException($"{program} was interrupted; it and its child processes were killed.");
        }

        void Collect(string line)
        {
            lock (output)
                output.Append(line).Append('\n');
            if (echo)
                Log.ToolLine(line, prefix);
        }
    }

    /// <summary>The last lines of the output, on the failure's one line: enough to see why without scrolling up.</summary>
    private static string Tail(ProcessResult result)
    {
        var tail = result.Lines.Select(l => l.Trim()).Where(l => l.Length > 0).TakeLast(TailLines).ToList();
        return tail.Count == 0 ? "." : $": {string.Join(" | ", tail)}";
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./=:+,@%".Contains(c)) ? argument : $"'{argument}'";
}
