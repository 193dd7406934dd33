using System.Diagnostics;
using System.Reflection;

namespace TracerBuild.Engine;

public enum TargetStatus
{
    NotRun,
    Succeeded,
    Failed,
    Skipped,
    UpToDate,
}

/// <summary>Parses the command line, binds parameters, orders targets by their dependencies and runs them.</summary>
public static class BuildRunner
{
    private static readonly string[] EngineOptions = ["target", "skip", "plan", "help", "force"];

    public static int Run(
        BuildBase build,
        IReadOnlyList<string> args,
        Target defaultTarget,
        IReadOnlyDictionary<string, string> environment,
        TextWriter output,
        TextWriter errors)
    {
        build.EnvironmentVariables = environment;
        var display = BuildOutput.For(output);
        IReadOnlyList<TargetDefinition> plan;
        HashSet<TargetDefinition> skipped;
        bool force;
        var hashes = FileHashes.Load(Path.Combine(build.RootDirectory, ".nuke", "temp", "file-hashes.json"));
        var state = new TargetState(build.RootDirectory, hashes);
        var secrets = Secrets.None;
        try
        {
            var commandLine = CommandLine.Parse(args);
            var targets = DiscoverTargets(build);
            var parameters = Parameter.Discover(build);
            RejectUnknownOptions(commandLine, parameters);

            if (commandLine.Has("help"))
            {
                Help.Print(output, build, targets, parameters, defaultTarget);
                return 0;
            }

            ParameterBinder.Bind(build, parameters, commandLine, environment, Path.Combine(build.RootDirectory, ".nuke", "parameters.json"));
            secrets = Secrets.Of(build, parameters);
            secrets.MaskUnderActions(environment, output);

            var requested = commandLine.Values("target") is { Count: > 0 } names
                ? names.Select(n => FindTarget(targets, n)).ToList()
                : [targets.Single(t => t.IsDeclaredBy(defaultTarget))];
            plan = Order(requested, targets);
            skipped = Skipped(commandLine, plan, requested, targets);
            build.Schedule(plan.Except(skipped).Select(t => t.Declaration));
            build.OnParametersBound();
            force = commandLine.Has("force");

            if (commandLine.Has("plan"))
            {
                PrintPlan(output, plan, skipped, force, state);
                return 0;
            }
        }
        catch (BuildInputException e)
        {
            errors.WriteLine($"error: {secrets.Redact(e.Message)}");
            return 1;
        }

        try
        {
            return Execute(plan, skipped, force, state, display, errors, secrets);
        }
        finally
        {
            hashes.Save();
        }
    }

    private static int Execute(
        IReadOnlyList<TargetDefinition> plan,
        HashSet<TargetDefinition> skipped,
        bool force,
        TargetState state,
        BuildOutput display,
        TextWriter errors,
        Secrets secrets)
    {
        var results = new List<TargetResult>();
        var failed = false;
        foreach (var target in plan)
        {
            if (failed || skipped.Contains(target))
            {
                results.Add(new(target.Name, failed ? TargetStatus.NotRun : TargetStatus.Skipped, TimeSpan.Zero));
                continue;
            }

            var stopwatch = Stopwatch.StartNew();
            if (target.IsIncremental && !force && state.WhyRun(target) is null)
            {
                results.Add(new(target.Name, TargetStatus.UpToDate, stopwatch.Elapsed));
                continue;
            }

            display.TargetStarted(target.Name);
            try
            {
                foreach (var action in target.Actions)
                    action();
                if (target.IsIncremental)
                    state.Save(target);
                results.Add(new(target.Name, TargetStatus.Succeeded, stopwatch.Elapsed));
            }
            catch (Exception e) when (e is BuildFailedException or BuildInputException)
            {
                state.Forget(target);
                errors.WriteLine($"error: {secrets.Redact(e.Message)}");
                results.Add(new(target.Name, TargetStatus.Failed, stopwatch.Elapsed));
                failed = true;
            }
            catch (Exception e)
            {
                state.Forget(target);
                errors.WriteLine($"error: {target.Name} failed unexpectedly: {e.GetType().Name}: {secrets.Redact(e.Message)}");
                results.Add(new(target.Name, TargetStatus.Failed, stopwatch.Elapsed));
                failed = true;
            }
        }

        display.Summary(results);
        return failed ? 1 : 0;
    }

    /// <summary>
    /// The order and, per target, whether it runs and why. A target whose dependencies run is judged again once they
    /// have, since their outputs are its inputs.
    /// </summary>
    private static void PrintPlan(TextWriter output, IReadOnlyList<TargetDefinition> plan, HashSet<TargetDefinition> skipped, bool force, TargetState state)
    {
        var runs = new HashSet<string>();
        foreach (var target in plan)
        {
            var dependenciesRunning = plan.Where(d => runs.Contains(d.Name) && target.Dependencies.Any(d.IsDeclaredBy)).Select(d => d.Name).ToList();
            var verdict =
                skipped.Contains(target) ? "skipped (--skip)"
                : !target.IsIncremental ? "runs (it declares no inputs, so it always runs)"
                : force ? "runs (--force)"
                : state.WhyRun(target) is { } reason ? $"runs ({reason})"
                : dependenciesRunning.Count > 0 ? $"up to date now; checked again after {string.Join(", ", dependenciesRunning)}"
                : "up to date";
            if (verdict.StartsWith("runs", StringComparison.Ordinal) || verdict.StartsWith("up to date now", StringComparison.Ordinal))
                runs.Add(target.Name);
            output.WriteLine($"{target.Name,-12} {verdict}");
        }
    }

    private static void RejectUnknownOptions(CommandLine commandLine, IReadOnlyList<Parameter> parameters)
    {
        var known = EngineOptions.Concat(parameters.Select(p => p.CommandLineName)).ToList();
        var unknown = commandLine.Names.FirstOrDefault(n => !known.Contains(n, StringComparer.OrdinalIgnoreCase));
        if (unknown is not null)
            throw new BuildInputException($"Unknown parameter '--{unknown}'. Known parameters: {string.Join(", ", known.Select(k => "--" + k))}.");
    }

    internal static IReadOnlyList<TargetDefinition> DiscoverTargets(BuildBase build)
    {
        var definitions = build.GetType()
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
        return definitions;
    }

    private static TargetDefinition FindTarget(IReadOnlyList<TargetDefinition> targets, string name) =>
        targets.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new BuildInputException($"Unknown target '{name}'. Targets: {string.Join(", ", targets.Select(t => t.Name))}.");

    private static TargetDefinition Resolve(IReadOnlyList<TargetDefinition> targets, Target target) =>
        targets.Single(t => t.IsDeclaredBy(target));

    /// <summary>Dependencies first, in declaration order; each target once.</summary>
    internal static IReadOnlyList<TargetDefinition> Order(IEnumerable<TargetDefinition> requested, IReadOnlyList<TargetDefinition> targets)
    {
        var order = new List<TargetDefinition>();
        var path = new List<TargetDefinition>();
        foreach (var target in requested)
            Visit(target);
        return order;

        void Visit(TargetDefinition target)
        {
            if (order.Contains(target))
                return;
            if (path.Contains(target))
            {
                var cycle = path.SkipWhile(t => t != target).Append(target).Select(t => t.Name);
                throw new BuildInputException($"Targets depend on each other in a cycle: {string.Join(" -> ", cycle)}.");
            }
            path.Add(target);
            foreach (var dependency in target.Dependencies)
                Visit(Resolve(targets, dependency));
            path.RemoveAt(path.Count - 1);
            order.Add(target);
        }
    }

    /// <summary>As in NUKE: <c>--skip</c> alone skips every target not asked for; <c>--skip A B</c> skips those.</summary>
    private static HashSet<TargetDefinition> Skipped(
        CommandLine commandLine,
        IReadOnlyList<TargetDefinition> plan,
        IReadOnlyList<TargetDefinition> requested,
        IReadOnlyList<TargetDefinition> targets) =>
        commandLine.Values("skip") switch
        {
            null => [],
            { Count: 0 } => plan.Except(requested).ToHashSet(),
            var names => names.Select(n => FindTarget(targets, n)).ToHashSet(),
        };
}
