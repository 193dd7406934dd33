using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using CliWrap;

namespace TracerBuild.Tests;

/// <summary>
/// A program started through CliWrap and left running while the test acts: its pid, its stderr line by line, lines
/// written to its stdin, signals, and at the end its exit code and output. Disposing kills its process tree.
/// It starts with SIGINT and SIGTERM at their defaults (<see cref="WithDefaultSignals"/>), so a test's signal reaches
/// it however the test run was started.
/// </summary>
public sealed class BackgroundProgram : IDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _kill = new();
    private readonly StringBuilder _stdout = new();
    private readonly BlockingCollection<string> _stderr = new();
    private readonly Channel<string> _stdin = Channel.CreateUnbounded<string>();
    private readonly CommandTask<CommandResult> _run;
    private readonly string _name;

    /// <param name="withInput">Keeps stdin open for <see cref="WriteLine"/> until <see cref="CloseInput"/>; otherwise it is empty.</param>
    public BackgroundProgram(string program, IEnumerable<string> arguments, string? workingDirectory = null, bool withInput = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        _name = Path.GetFileName(program);
        var (file, withDefaults) = WithDefaultSignals(program, arguments);
        _run = Cli.Wrap(file)
            .WithArguments(withDefaults)
            .WithWorkingDirectory(workingDirectory ?? Directory.GetCurrentDirectory())
            .WithEnvironmentVariables((environment ?? new Dictionary<string, string>()).ToDictionary(e => e.Key, e => (string?)e.Value))
            .WithValidation(CommandResultValidation.None)
            .WithStandardInputPipe(withInput ? PipeSource.Create(FeedInput) : PipeSource.Null)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line =>
            {
                lock (_stdout)
                    _stdout.Append(line).Append('\n');
            }))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line => _stderr.Add(line)))
            .ExecuteAsync(_kill.Token);
        _ = _run.Task.ContinueWith(_ => _stderr.CompleteAdding(), TaskScheduler.Default);
    }

    public int Id => _run.ProcessId;

    /// <summary>
    /// The command that runs <paramref name="program"/> with SIGINT and SIGTERM at their defaults. A test run started as a
    /// background job of a non-interactive shell (<c>nohup ./build.sh --target Test &amp;</c>, many CI agents) inherits
    /// SIGINT as ignored (a parent may ignore SIGTERM too), every child inherits that, and an ignored signal stays
    /// ignored across exec: the tests' signals would never arrive. coreutils' env resets both and execs the program,
    /// which keeps env's pid.
    /// </summary>
    public static (string Program, IReadOnlyList<string> Arguments) WithDefaultSignals(string program, IEnumerable<string> arguments) =>
        ("env", ["--default-signal=INT,TERM", program, .. arguments]);

    /// <summary>The next line on stderr, or null once it has exited without writing one or after <paramref name="timeout"/>.</summary>
    public string? NextErrorLine(TimeSpan? timeout = null) =>
        _stderr.TryTake(out var line, timeout ?? DefaultWait) ? line : null;

    public void WriteLine(string line) => _stdin.Writer.TryWrite(line + "\n");

    public void CloseInput() => _stdin.Writer.TryComplete();

    /// <summary>Sends a signal (INT, TERM) as a user's Ctrl-C or kill would.</summary>
    public void Signal(string signal) => Programs.Run("kill", [$"-{signal}", Id.ToString()], echo: false);

    /// <summary>Waits for it to exit by itself and returns its exit code, all of stdout and the stderr lines not yet read.</summary>
    public (int ExitCode, string Stdout, string Stderr) WaitForExit(TimeSpan? timeout = null)
    {
        Assert.True(_run.Task.Wait(timeout ?? DefaultWait, TestContext.Current.CancellationToken), $"{_name} did not exit");
        var rest = string.Concat(_stderr.GetConsumingEnumerable().Select(l => l + "\n"));
        lock (_stdout)
            return (_run.Task.Result.ExitCode, _stdout.ToString(), rest);
    }

    /// <summary>Kills its whole process tree and waits for it to be gone.</summary>
    public void Kill()
    {
        _kill.Cancel();
        try
        {
            _run.Task.Wait(DefaultWait);
        }
        catch (AggregateException e) when (e.InnerException is OperationCanceledException)
        {
            // What a killed command ends with.
        }
    }

    private async Task FeedInput(Stream destination, CancellationToken cancellation)
    {
        await foreach (var text in _stdin.Reader.ReadAllAsync(cancellation))
        {
            await destination.WriteAsync(Encoding.UTF8.GetBytes(text), cancellation);
            await destination.FlushAsync(cancellation);
        }
    }

    public void Dispose()
    {
        if (!_run.Task.IsCompleted)
            Kill();
        _kill.Dispose();
        _stderr.Dispose();
    }
}
