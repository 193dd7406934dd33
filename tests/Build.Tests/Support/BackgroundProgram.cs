using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using CliWrap;

namespace TracerBuild.Tests;

/// <summary>
/// A program started through CliWrap and left running while the test acts: its pid, its stderr line by line, lines
/// written to its stdin, signals, and at the end its exit code and output. Disposing kills its process tree.
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
        _run = Cli.Wrap(program)
            .WithArguments(arguments)
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
