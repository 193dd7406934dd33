using System.Text.Json;

namespace TracerBuild.Tests;

/// <summary>A running <c>tracer monitor</c>: started, waited for until it traces, then stopped and read.</summary>
public sealed class TracerProcess : IDisposable
{
    private readonly BackgroundProgram _program;

    public TracerProcess(string tracer, params string[] arguments)
        : this(tracer, new Dictionary<string, string>(), arguments)
    {
    }

    public TracerProcess(string tracer, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        _program = new BackgroundProgram(tracer, ["monitor", .. arguments], environment: environment);
        // Lines such as the connect path come before the one that says the programs are attached.
        for (var line = _program.NextErrorLine(); ; line = _program.NextErrorLine())
        {
            if (line is null)
                Assert.Fail($"tracer monitor {string.Join(' ', arguments)} did not start: {string.Join('\n', StartLines)}{_program.WaitForExit().Stderr}");
            if (line.StartsWith("tracer: tracing", StringComparison.Ordinal))
                break;
            StartLines.Add(line);
        }
    }

    public int Id => _program.Id;

    /// <summary>What the tracer printed on stderr before it was tracing.</summary>
    public List<string> StartLines { get; } = [];

    /// <summary>Sends a signal (SIGINT, SIGTERM) as a user's Ctrl-C or kill would.</summary>
    public void Signal(string signal) => _program.Signal(signal);

    /// <summary>Waits for the tracer to exit by itself (--duration or a signal) and returns what it printed.</summary>
    public (int ExitCode, string Stdout, string Stderr) WaitForExit() => _program.WaitForExit();

    /// <summary>Every stdout line parsed as JSON: fails the test on a line that is not one JSON object.</summary>
    public static List<JsonElement> JsonLines(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];

    /// <summary>The ids of the BPF programs this process holds.</summary>
    public IReadOnlyList<int> LoadedProgramIds() => ProgramsHeldBy(Id);

    /// <summary>The ids of the BPF programs a process holds, from its fds' fdinfo (prog_id lines).</summary>
    public static IReadOnlyList<int> ProgramsHeldBy(int pid) =>
    [
        .. Directory.EnumerateFiles($"/proc/{pid}/fdinfo")
            .SelectMany(SafeReadLines)
            .Where(line => line.StartsWith("prog_id:", StringComparison.Ordinal))
            .Select(line => int.Parse(line["prog_id:".Length..].Trim()))
            .Distinct(),
    ];

    private static IEnumerable<string> SafeReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return []; // the fd was closed meanwhile
        }
    }

    public void Dispose() => _program.Dispose();
}
