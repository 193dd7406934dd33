using System.Diagnostics;
using System.Reflection;

namespace Engine;

public enum TargetStatus
{
    NotRun,
    Succeeded,
    Failed,
    Skipped,
    UpToDate,
    Aborted,
}

/// <summary>Parses the command line, binds parameters, plans the targets and runs them.</summary>
public static class BuildRunner
{
    public const int InterruptedExitCode = 130;

    private static readonly string[] EngineOptions = ["target", "skip", "plan", "help", "force"];

    public static int Run(
        BuildBase build,
        IReadOnlyList<string> args,
        Target defaultTarget,
        IReadOnlyDictionary<string, string> environment,
        TextWriter output,
        TextWriter errors,
        CancellationToken cancellation = default)
    {
        build.EnvironmentVariables = environment;
        build.Cancellation = cancellation;
        var display = BuildOutput.For(output, errors, environment);
        var secrets = Secrets.None;
        Execution execution;
        FileHashes hashes;
        BuildLock? buildLock = null;
        try
        {
            var commandLine = CommandLine.Parse(args);
            var targets = DiscoverTargets(build);
            var planner = new Planner(targets);
            var parameters = Parameter.Discover(build);
            RejectUnknownOptions(commandLine, parameters);
            Schema.Update(build.RootDirectory / ".nuke" / "build.schema.json", Schema.Generate(build, parameters));

            if (commandLine.Has("help"))
            {
                Help.Print(output, build, targets, planner, parameters, defaultTarget);
                return 0;
            }

            ParameterBinder.Bind(build, parameters, commandLine, environment, build.RootDirectory / ".nuke" / "parameters.json");
            secrets = Secrets.Of(build, parameters);
            secrets.MaskUnderActions(environment, output);
            Log.Configure(secrets, GitHubActions.IsRunningUnder(environment), build.RootDirectory);

            var requested = commandLine.Values("target") is { Count: > 0 } names
                ? names.Select(planner.Find).ToList()
                : [planner.Resolve(defaultTarget)];
            var plan = planner.Plan(requested);
            var skipped = Skipped(commandLine, plan, requested, planner);
            build.Schedule(plan.Except(skipped).Select(t => t.Declaration));
            build.OnParametersBound();
            foreach (var target in plan.Except(skipped))
            {
                foreach (var check in target.Requirements)
                    check();
            }

            // The state is read only once the lock is held: a build that waited sees what the other one did.
            if (!commandLine.Has("plan") && build.BuildLockFile is { } lockFile)
            {
                buildLock = BuildLock.Acquire(lockFile, build.BuildLockTimeout, output, cancellation, environment);
                if (build.ExportsBuildLock && !buildLock.IsNested)
                    Environment.SetEnvironmentVariable(BuildLock.HolderVariable, Environment.ProcessId.ToString());
                build.OnBuildLockTaken();
            }
            hashes = FileHashes.Load(build.RootDirectory / ".nuke" / "temp" / "file-hashes.json");
            var state = new TargetState(build.RootDirectory, hashes, TargetState.ProgramIdentity(build));
            execution = new Execution(plan, skipped, planner, commandLine.Has("force"), state, display, secrets, cancellation);
            if (commandLine.Has("plan"))
            {
                execution.PrintPlan(output);
                return 0;
            }
        }
        catch (Exception e) when (e is BuildInputException or BuildFailedException)
        {
            errors.WriteLine($"error: {secrets.Redact(e.Message)}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            errors.WriteLine("error: interrupted while waiting for the build lock.");
            return InterruptedExitCode;
        }

        try
        {
            return execution.Run();
        }
        finally
        {
            hashes.Save();
            buildLock?.Dispose();
        }
    }

    private static void RejectUnknownOptions(CommandLine commandLine, IReadOnlyList<Parameter> parameters)
    {
        var known = EngineOptions.Concat(parameters.Select(p => p.CommandLineName)).ToList();
        var unknown = commandLine.Names.FirstOrDefault(n => !known.Contains(n, StringComparer.OrdinalIgnoreCase));
        if (unknown is not null)
            throw new BuildInputException($"Unknown parameter '--{unknown}'. Known parameters: {string.Join(", ", known.Select(k => "--" + k))}.");
    }

    internal static IReadOnlyList<TargetDefinition> DiscoverTargets(BuildBase build) =>
        build.GetType()
            .GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(p => p.PropertyType == typeof(Target))
            .Select(p =>
            {
                var declaration = (Target)p.GetValue(build)!;
                var definition = new TargetDefinition(p.Name, declaration);
                declaration(definition);
                return definition;
            })
            .ToList();

    /// <summary>As in NUKE: <c>--skip</c> alone skips every target not asked for; <c>--skip A B</c> skips those.</summary>
    private static HashSet<TargetDefinition> Skipped(
        CommandLine commandLine,
        IReadOnlyList<TargetDefinition> plan,
        IReadOnlyList<TargetDefinition> requested,
        Planner planner) =>
        commandLine.Values("skip") switch
        {
            null => [],
            { Count: 0 } => plan.Except(requested).ToHashSet(),
            var names => names.Select(planner.Find).ToHashSet(),
        };
}

/// <summary>Runs a plan: each target in turn unless skipped, up to date, or cut off by a failure or an interruption.</summary>
internal sealed class Execution(
    IReadOnlyList<TargetDefinition> plan,
    IReadOnlySet<TargetDefinition> skipped,
    Planner planner,
    bool force,
    TargetState state,
    BuildOutput display,
    Secrets secrets,
    CancellationToken cancellation)
{
    public int Run()
    {
        var results = new List<TargetResult>();
        var stopped = false;
        foreach (var target in plan)
        {
            var stopwatch = Stopwatch.StartNew();
            TargetStatus? status;
            TargetState.Snapshot? snapshot = null;
            try
            {
                status = Decide(target, stopped, out snapshot);
            }
            catch (Exception e)
            {
                // Reading a target's inputs failed (bad input, an unreadable file): that target fails, in one line.
                display.Error(secrets.Redact(e is BuildFailedException or BuildInputException ? e.Message : $"{target.Name}: {e.GetType().Name}: {e.Message}"));
                status = TargetStatus.Failed;
                stopped = true;
            }
            if (status is null)
            {
                status = RunTarget(target, snapshot);
                stopped |= status is TargetStatus.Aborted or TargetStatus.Failed;
            }
            results.Add(new TargetResult(target.Name, status.Value, status is TargetStatus.Succeeded or TargetStatus.Failed or TargetStatus.Aborted or TargetStatus.UpToDate ? stopwatch.Elapsed : TimeSpan.Zero));
        }

        display.Summary(results);
        return results.Any(r => r.Status == TargetStatus.Aborted) ? BuildRunner.InterruptedExitCode
            : results.Any(r => r.Status == TargetStatus.Failed) ? 1
            : 0;
    }

    /// <summary>A status when the target does not run; null when it must.</summary>
    private TargetStatus? Decide(TargetDefinition target, bool stopped, out TargetState.Snapshot? snapshot)
    {
        snapshot = null;
        if (skipped.Contains(target))
            return TargetStatus.Skipped;
        if (stopped || cancellation.IsCancellationRequested)
            return TargetStatus.NotRun;
        if (!target.IsIncremental)
            return null;
        snapshot = state.Capture(target);
        var why = state.WhyRun(target, snapshot);
        // A damaged output is worth a line even under --force: the user should learn their disk or a tool altered it.
        if (why?.StartsWith(TargetState.OutputChanged, StringComparison.Ordinal) == true)
            display.Note($"{target.Name}: {why}; running it again to replace it.");
        return !force && why is null ? TargetStatus.UpToDate : null;
    }

    private TargetStatus RunTarget(TargetDefinition target, TargetState.Snapshot? snapshot)
    {
        display.TargetStarted(target.Name);
        try
        {
            foreach (var action in target.Actions)
                action();
            if (snapshot is not null)
                state.Save(target, snapshot);
            return TargetStatus.Succeeded;
        }
        catch (Exception e)
        {
            state.Forget(target);
            if (cancellation.IsCancellationRequested)
            {
                display.Error($"{target.Name} was interrupted.");
                return TargetStatus.Aborted;
            }
            display.Error(secrets.Redact(e is BuildFailedException or BuildInputException
                ? e.Message
                : $"{target.Name} failed unexpectedly: {e.GetType().Name}: {e.Message}"));
            return TargetStatus.Failed;
        }
        finally
        {
            display.TargetFinished(target.Name);
        }
    }

    /// <summary>
    /// The order and, per target, whether it runs and why. A target whose dependencies run is judged again once they
    /// have, since their outputs are its inputs.
    /// </summary>
    public void PrintPlan(TextWriter output)
    {
        var runs = new HashSet<TargetDefinition>();
        foreach (var target in plan)
        {
            var dependenciesRunning = planner.Needs(target).Where(runs.Contains).Select(d => d.Name).ToList();
            var verdict =
                skipped.Contains(target) ? "skipped (--skip)"
                : !target.IsIncremental ? "runs (it declares no inputs, so it always runs)"
                : force ? "runs (--force)"
                : state.WhyRun(target, state.Capture(target)) is { } reason ? $"runs ({reason})"
                : dependenciesRunning.Count > 0 ? $"up to date now; checked again after {string.Join(", ", dependenciesRunning)}"
                : "up to date";
            if (verdict.StartsWith("runs", StringComparison.Ordinal) || verdict.StartsWith("up to date now", StringComparison.Ordinal))
                runs.Add(target);
            output.WriteLine($"{target.Name,-12} {verdict}");
        }
    }
}
