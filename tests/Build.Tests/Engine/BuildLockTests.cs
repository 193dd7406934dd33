namespace TracerBuild.Tests;

/// <summary>One build per checkout: the lock in its artifacts/, waited for, given up on after a timeout, taken over from the dead.</summary>
public sealed class BuildLockTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public BuildLockTests() => Directory.CreateDirectory(Path.Combine(_root.Path, ".nuke"));

    public void Dispose() => _root.Dispose();

    private string LockFile => Path.Combine(_root.Path, "artifacts", "build.lock");

    private sealed class LockedBuild(string lockFile, TimeSpan timeout) : BuildBase
    {
        public int Runs;

        protected internal override AbsolutePath BuildLockFile => AbsolutePath.Of(lockFile);

        protected internal override TimeSpan BuildLockTimeout => timeout;

        public Target Work => _ => _.Executes(() => Runs++);
    }

    private (int ExitCode, string Output, string Errors, LockedBuild Build) Run(TimeSpan timeout, Dictionary<string, string>? environment = null)
    {
        var build = new LockedBuild(LockFile, timeout) { RootDirectory = AbsolutePath.Of(_root.Path) };
        var output = new StringWriter();
        var errors = new StringWriter();
        var exitCode = BuildRunner.Run(build, [], build.Work, environment ?? [], output, errors, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), errors.ToString(), build);
    }

    /// <summary>Holds the lock as another build would: its flock, and its pid beside it.</summary>
    private FileStream HoldLock(int pid)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!);
        var held = new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        File.WriteAllText(LockFile + ".pid", pid.ToString());
        return held;
    }

    [Fact]
    public void A_second_build_says_whose_lock_it_waits_for_and_runs_once_it_is_released()
    {
        var held = HoldLock(Environment.ProcessId);
        using var release = Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken).ContinueWith(_ => held.Dispose(), TestContext.Current.CancellationToken);

        var (exitCode, output, errors, build) = Run(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, errors);
        Assert.Equal(1, build.Runs);
        Assert.Contains($"Waiting for the build lock held by pid {Environment.ProcessId} ({LockFile})", output);
        Assert.False(File.Exists(LockFile + ".pid"), "the lock's pid file outlived the build");
    }

    [Fact]
    public void A_build_that_cannot_get_the_lock_in_time_fails_in_one_line_and_does_nothing()
    {
        using var held = HoldLock(Environment.ProcessId);

        var (exitCode, _, errors, build) = Run(TimeSpan.FromSeconds(1));

        Assert.Equal(1, exitCode);
        Assert.Equal(0, build.Runs);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: Another build (pid {Environment.ProcessId}) held {LockFile} for 1 s: wait for it to end, stop it, or raise --lock-timeout.", line);
    }

    [Fact]
    public void The_lock_of_a_build_that_died_holding_it_is_taken_over()
    {
        using var gone = System.Diagnostics.Process.Start("true")!;
        gone.WaitForExit();
        // What a killed build leaves: the lock file and its pid file, but no flock (the kernel dropped it with the process).
        Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!);
        File.WriteAllText(LockFile, "");
        File.WriteAllText(LockFile + ".pid", gone.Id.ToString());

        var (exitCode, output, errors, build) = Run(TimeSpan.FromSeconds(1));

        Assert.True(exitCode == 0, errors);
        Assert.Equal(1, build.Runs);
        Assert.Contains($"Taking over the build lock of pid {gone.Id}, which ended without releasing it.", output);
    }

    [Fact]
    public void A_build_started_by_the_lock_holder_takes_the_nested_lock_instead_of_waiting_for_its_parent()
    {
        using var held = HoldLock(Environment.ProcessId);

        var (exitCode, _, errors, build) = Run(TimeSpan.FromSeconds(1),
            new Dictionary<string, string> { [BuildLock.HolderVariable] = Environment.ProcessId.ToString() });

        Assert.True(exitCode == 0, errors);
        Assert.Equal(1, build.Runs);
    }

    [Fact]
    public void A_lock_file_that_is_a_folder_is_named_as_one()
    {
        Directory.CreateDirectory(LockFile);

        var (exitCode, _, errors, build) = Run(TimeSpan.FromSeconds(1));

        Assert.Equal(1, exitCode);
        Assert.Equal(0, build.Runs);
        Assert.Equal($"error: {LockFile} is a folder, where the build keeps its lock file: remove it.", errors.Trim());
    }
}
