using System.Collections;
using System.Runtime.InteropServices;

namespace Engine;

/// <summary>Base of a build class: targets are <see cref="Target"/> properties, parameters are <see cref="ParameterAttribute"/> fields.</summary>
public abstract class BuildBase
{
    private IReadOnlyList<Target> _scheduled = [];

    /// <summary>The folder holding <c>.nuke/</c>.</summary>
    public AbsolutePath RootDirectory { get; internal set; } = AbsolutePath.Of("/");

    /// <summary>The environment the build was started with (parameters already bound from it).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables { get; internal set; } = new Dictionary<string, string>();

    /// <summary>Cancelled by Ctrl-C or SIGTERM: long work in targets should stop when it is.</summary>
    public CancellationToken Cancellation { get; internal set; }

    /// <summary>When set, <c>PREFIX_NAME</c> in the environment also sets a parameter, before plain <c>NAME</c>.</summary>
    protected internal virtual string? EnvironmentPrefix => null;

    /// <summary>When set, a build that runs targets first takes this lock file, waiting for another build holding it.</summary>
    protected internal virtual AbsolutePath? BuildLockFile => null;

    /// <summary>True in a build process of its own (not in a test's): the programs it starts learn that it holds the lock.</summary>
    internal bool ExportsBuildLock { get; private set; }

    /// <summary>How long to wait for <see cref="BuildLockFile"/> before giving up.</summary>
    protected internal virtual TimeSpan BuildLockTimeout => TimeSpan.FromMinutes(10);

    /// <summary>Called once <see cref="BuildLockFile"/> is held, before any target runs: no other build of this checkout is running.</summary>
    protected internal virtual void OnBuildLockTaken()
    {
    }

    /// <summary>Ends the one-line error for a program the build runs that is not installed.</summary>
    protected internal virtual string MissingProgramAdvice => "install it first";

    /// <summary>
    /// Called once parameters are bound and the plan is known, before any target runs: validate here what every target
    /// needs; a target's own input is checked by its <see cref="ITargetDefinition.Requires"/>.
    /// </summary>
    protected internal virtual void OnParametersBound()
    {
    }

    protected bool IsScheduled(Target target) => _scheduled.Any(t => TargetDefinition.SameTarget(t, target));

    internal void Schedule(IEnumerable<Target> targets) => _scheduled = targets.ToList();

    protected static int Execute<T>(string[] args, Func<T, Target> defaultTarget) where T : BuildBase, new()
    {
        var build = new T { ExportsBuildLock = true };
        var environment = new Dictionary<string, string>();
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
            environment[(string)variable.Key] = (string?)variable.Value ?? "";
        try
        {
            // build.sh and build.cmd name the root, so the build also works when started from another folder.
            build.RootDirectory = environment.GetValueOrDefault("BUILD_ENGINE_ROOT") is { Length: > 0 } root
                ? AbsolutePath.From(root, Directory.GetCurrentDirectory())
                : FindRootDirectory(Directory.GetCurrentDirectory());
        }
        catch (BuildInputException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        if (environment.Remove(BuildProgramFreshness.StampVariable, out var stamp))
        {
            // The stamp speaks for this program only, not for the builds it starts.
            Environment.SetEnvironmentVariable(BuildProgramFreshness.StampVariable, null);
            if (stamp.Length > 0 && BuildProgramFreshness.IsStale(build.RootDirectory, stamp))
                return BuildProgramFreshness.StaleExitCode;
        }
        // The first Ctrl-C (or SIGTERM) lets the running target stop and the summary print; a second one ends the process.
        using var interrupted = new CancellationTokenSource();
        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = !interrupted.IsCancellationRequested;
            interrupted.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        Programs.Interruption = interrupted.Token;
        Programs.MissingProgramAdvice = build.MissingProgramAdvice;
        return BuildRunner.Run(build, args, defaultTarget(build), environment, Console.Out, Console.Error, interrupted.Token);
    }

    private static AbsolutePath FindRootDirectory(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".nuke")))
                return AbsolutePath.Of(dir.FullName);
        }
        throw new BuildInputException($"No .nuke folder in {start} or above it: run the build from inside the repository.");
    }
}
