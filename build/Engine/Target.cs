using System.Runtime.CompilerServices;

namespace TracerBuild.Engine;

/// <summary>A build step, declared NUKE-style: <c>Target X => _ => _.DependsOn(Y).Executes(...)</c>.</summary>
public delegate ITargetDefinition Target(ITargetDefinition definition);

public interface ITargetDefinition
{
    ITargetDefinition Description(string text);

    /// <summary>These run first, and are scheduled whenever this target is.</summary>
    ITargetDefinition DependsOn(params Target[] targets);

    /// <summary>Ordering only: when both are scheduled, these run first.</summary>
    ITargetDefinition After(params Target[] targets);

    /// <summary>Ordering only: when both are scheduled, these run after this one.</summary>
    ITargetDefinition Before(params Target[] targets);

    /// <summary>Scheduling this target schedules these too, to run after it.</summary>
    ITargetDefinition Triggers(params Target[] targets);

    ITargetDefinition Executes(Action action);

    /// <summary>Decided before any target runs; when false the target is skipped, the condition's text given as the reason.</summary>
    ITargetDefinition OnlyWhenStatic(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string text = "");

    /// <summary>Decided just before the target would run, after its dependencies.</summary>
    ITargetDefinition OnlyWhenDynamic(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string text = "");

    /// <summary>Checked before any target runs; when false the build stops with the condition's text.</summary>
    ITargetDefinition Requires(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string text = "");

    /// <summary>When this target fails, targets that do not need it still run (the build still fails).</summary>
    ITargetDefinition ProceedAfterFailure();

    /// <summary>Runs even after an earlier target failed or the build was interrupted (clean-up, reports).</summary>
    ITargetDefinition AssuredAfterFailure();

    /// <summary>Left out of --help.</summary>
    ITargetDefinition Unlisted();

    /// <summary>Files (or folders, meaning every file in them) whose content decides whether the target must run again.</summary>
    ITargetDefinition Inputs(Func<IEnumerable<string>> files);

    /// <summary>Other things the result depends on: parameter values, tool versions, command lines.</summary>
    ITargetDefinition InputValues(Func<IEnumerable<string>> values);

    /// <summary>Files the target writes; with inputs declared, an unchanged run with these intact is UpToDate.</summary>
    ITargetDefinition Outputs(Func<IEnumerable<string>> files);

    /// <summary>Runs even when its inputs are unchanged while the condition holds (e.g. an unpinned download).</summary>
    ITargetDefinition AlwaysRunsWhen(Func<bool> condition, string reason);
}

/// <summary>A condition with the source text it was written as, which is what the user is shown.</summary>
internal sealed record Condition(Func<bool> Holds, string Text);

internal sealed class TargetDefinition(string name, Target declaration) : ITargetDefinition
{
    public string Name { get; } = name;
    public Target Declaration { get; } = declaration;
    public string DescriptionText { get; private set; } = "";
    public List<Target> Dependencies { get; } = [];
    public List<Target> RunsAfter { get; } = [];
    public List<Target> RunsBefore { get; } = [];
    public List<Target> Triggered { get; } = [];
    public List<Action> Actions { get; } = [];
    public List<Condition> StaticConditions { get; } = [];
    public List<Condition> DynamicConditions { get; } = [];
    public List<Condition> Requirements { get; } = [];
    public bool ProceedsAfterFailure { get; private set; }
    public bool IsAssured { get; private set; }
    public bool IsUnlisted { get; private set; }
    public List<Func<IEnumerable<string>>> InputFiles { get; } = [];
    public List<Func<IEnumerable<string>>> InputValueSources { get; } = [];
    public List<Func<IEnumerable<string>>> OutputFiles { get; } = [];
    public List<(Func<bool> Condition, string Reason)> AlwaysRunConditions { get; } = [];

    public bool IsIncremental => InputFiles.Count > 0 || InputValueSources.Count > 0;

    public ITargetDefinition Description(string text) => With(() => DescriptionText = text);

    public ITargetDefinition DependsOn(params Target[] targets) => With(() => Dependencies.AddRange(targets));

    public ITargetDefinition After(params Target[] targets) => With(() => RunsAfter.AddRange(targets));

    public ITargetDefinition Before(params Target[] targets) => With(() => RunsBefore.AddRange(targets));

    public ITargetDefinition Triggers(params Target[] targets) => With(() => Triggered.AddRange(targets));

    public ITargetDefinition Executes(Action action) => With(() => Actions.Add(action));

    public ITargetDefinition OnlyWhenStatic(Func<bool> condition, string text = "") => With(() => StaticConditions.Add(new(condition, text)));

    public ITargetDefinition OnlyWhenDynamic(Func<bool> condition, string text = "") => With(() => DynamicConditions.Add(new(condition, text)));

    public ITargetDefinition Requires(Func<bool> condition, string text = "") => With(() => Requirements.Add(new(condition, text)));

    public ITargetDefinition ProceedAfterFailure() => With(() => ProceedsAfterFailure = true);

    public ITargetDefinition AssuredAfterFailure() => With(() => IsAssured = true);

    public ITargetDefinition Unlisted() => With(() => IsUnlisted = true);

    public ITargetDefinition Inputs(Func<IEnumerable<string>> files) => With(() => InputFiles.Add(files));

    public ITargetDefinition InputValues(Func<IEnumerable<string>> values) => With(() => InputValueSources.Add(values));

    public ITargetDefinition Outputs(Func<IEnumerable<string>> files) => With(() => OutputFiles.Add(files));

    public ITargetDefinition AlwaysRunsWhen(Func<bool> condition, string reason) => With(() => AlwaysRunConditions.Add((condition, reason)));

    public bool IsDeclaredBy(Target target) => SameTarget(target, Declaration);

    /// <summary>Property getters return a fresh delegate each call; equal method and instance mean the same target.</summary>
    public static bool SameTarget(Target a, Target b) => a.Method == b.Method && ReferenceEquals(a.Target, b.Target);

    private TargetDefinition With(Action change)
    {
        change();
        return this;
    }
}
