using System.Diagnostics;

namespace Engine;

/// <summary>
/// One build per checkout, like cargo's "Blocking waiting for file lock": an flock on a file, which the kernel releases
/// when its holder dies, so a killed build's lock is simply taken over. .NET's own flock also guards any open of the
/// locked file, so the holder's pid lives in a file beside it, for the waiting build to name.
/// </summary>
public sealed class BuildLock : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>EWOULDBLOCK, the errno .NET reports (as the HResult) when another process holds the file's flock.</summary>
    private const int WouldBlock = 11;

    private readonly FileStream _held;
    private readonly string _owner;

    private BuildLock(FileStream held, string owner)
    {
        _held = held;
        _owner = owner;
    }

    /// <summary>Set for the programs a lock holder starts: builds they start in turn (the tests' builds) are nested in it.</summary>
    public const string HolderVariable = "BUILD_ENGINE_LOCK_HOLDER";

    /// <summary>
    /// A build started, directly or not, by the build holding the lock (the Test target's tests build this checkout)
    /// would wait for its own parent: it takes a second lock instead, one among the nested builds.
    /// </summary>
    internal static BuildLock Acquire(string path, TimeSpan timeout, TextWriter output, CancellationToken cancellation, IReadOnlyDictionary<string, string> environment)
    {
        var nested = environment.GetValueOrDefault(HolderVariable) is { Length: > 0 } holder && Holder(path + ".pid") == holder && IsAlive(holder);
        return Acquire(nested ? path + ".nested" : path, timeout, output, cancellation, nested);
    }

    public bool IsNested { get; private init; }

    private static BuildLock Acquire(string path, TimeSpan timeout, TextWriter output, CancellationToken cancellation, bool nested)
    {
        var owner = path + ".pid";
        if (Directory.Exists(path))
            throw new BuildInputException($"{path} is a folder, where the build keeps its lock file: remove it.");
        var waited = Stopwatch.StartNew();
        var told = false;
        while (true)
        {
            FileStream held;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (IsHeldElsewhere(e))
            {
                // Held by another build: say so once, then wait for it.
                if (!told)
                {
                    output.WriteLine($"Waiting for the build lock held by pid {Holder(owner) ?? "(unknown)"} ({path}), for up to {timeout.TotalSeconds:0} s.");
                    told = true;
                }
                if (waited.Elapsed >= timeout)
                    throw new BuildFailedException($"Another build (pid {Holder(owner) ?? "unknown"}) held {path} for {timeout.TotalSeconds:0} s: wait for it to end, stop it, or raise --lock-timeout.");
                if (cancellation.WaitHandle.WaitOne(Poll))
                    throw new OperationCanceledException(cancellation);
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new BuildFailedException($"Cannot create the build lock {path}: {e.Message}");
            }

            if (Holder(owner) is { } previous && previous != Environment.ProcessId.ToString() && !IsAlive(previous))
                output.WriteLine($"Taking over the build lock of pid {previous}, which ended without releasing it.");
            try
            {
                File.WriteAllText(owner, Environment.ProcessId.ToString());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                held.Dispose();
                throw new BuildFailedException($"Cannot write {owner}: {e.Message}");
            }
            return new BuildLock(held, owner) { IsNested = nested };
        }
    }

    /// <summary>True when opening a file with FileShare.None failed because another open of it holds its flock.</summary>
    public static bool IsHeldElsewhere(IOException e) => e.HResult == WouldBlock;

    private static string? Holder(string owner)
    {
        try
        {
            return File.ReadAllText(owner).Trim() is { Length: > 0 } pid ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsAlive(string pid) => !pid.All(char.IsAsciiDigit) || Directory.Exists($"/proc/{pid}");

    public void Dispose()
    {
        // The pid goes first: once the lock is released, another build may write its own.
        File.Delete(_owner);
        _held.Dispose();
    }
}
