using System.Diagnostics;
using System.Text.Json;

namespace TracerBuild.Tests;

/// <summary>A running <c>tracer monitor</c>: started, waited for until it traces, then stopped and read.</summary>
public sealed class TracerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;

    public TracerProcess(string tracer, params string[] arguments)
    {
        _process = Process.Start(new ProcessStartInfo(tracer, ["monitor", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _stdout = _process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var ready = _process.StandardError.ReadLine();
        if (ready?.StartsWith("tracer: tracing", StringComparison.Ordinal) != true)
            Assert.Fail($"tracer monitor {string.Join(' ', arguments)} did not start: {ready}{_process.StandardError.ReadToEnd()}");
    }

    public int Id => _process.Id;

    /// <summary>Sends a signal (SIGINT, SIGTERM) as a user's Ctrl-C or kill would.</summary>
    public void Signal(string signal) => Programs.Run("kill", [$"-{signal}", Id.ToString()], echo: false);

    /// <summary>Waits for the tracer to exit by itself (--duration or a signal) and returns what it printed.</summary>
    public (int ExitCode, string Stdout, string Stderr) WaitForExit()
    {
        Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(30)), "tracer monitor did not exit");
        return (_process.ExitCode, _stdout.Result, _process.StandardError.ReadToEnd());
    }

    /// <summary>Every stdout line parsed as JSON: fails the test on a line that is not one JSON object.</summary>
    public static List<JsonElement> JsonLines(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];

    /// <summary>The ids of the BPF programs this process holds, from its fds' fdinfo (prog_id lines).</summary>
    public IReadOnlyList<int> LoadedProgramIds() =>
    [
        .. Directory.EnumerateFiles($"/proc/{Id}/fdinfo")
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

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.Dispose();
    }
}
