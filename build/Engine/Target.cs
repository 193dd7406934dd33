namespace Engine;

/// <summary>A build step, declared NUKE-style: <c>Target X => _ => _.DependsOn(Y).Executes(...)</c>.</summary>
public delegate ITargetDefinition Target(ITargetDefinition definition);

public interface ITargetDefinition
{
    ITargetDefinition Description(string text);

    /// <summary>These run first, and are scheduled whenever this target is.</summary>
    ITargetDefinition DependsOn(params Target[] targets);

    ITargetDefinition Executes(Action action);

    /// <summary>Files (or folders, meaning every file in them) whose content decides whether the target must run again.</summary>
    ITargetDefinition Inputs(Func<IEnumerable<AbsolutePath>> files);

    /// <summary>Other things the result depends on: parameter values, tool versions, command lines.</summary>
    ITargetDefinition InputValues(Func<IEnumerable<string>> values);

    /// <summary>Files the target writes; with inputs declared, an unchanged run with these intact is UpToDate.</summary>
    ITargetDefinition Outputs(Func<IEnumerable<AbsolutePath>> files);

    /// <summary>Runs even when its inputs are unchanged while the condition holds (e.g. an unpinned download).</summary>
    ITargetDefinition AlwaysRunsWhen(Func<bool> condition, string reason);

    /// <summary>
    /// A check of this target's own input, run when it is scheduled, after the parameters are bound and before any
    /// target runs: it throws <see cref="BuildInputException"/> with one line saying what is wrong.
    /// </summary>
    ITargetDefinition Requires(Action check);
}

internal sealed class TargetDefinition(string name, Target declaration) : ITargetDefinition
{
    public string Name { get; } = name;
    public Target Declaration { get; } = declaration;
    public string DescriptionText { get; private set; } = "";
    public List<Target> Dependencies { get; } = [];
    public List<Action> Actions { get; } = [];
    public List<Func<IEnumerable<AbsolutePath>>> InputFiles { get; } = [];
    public List<Func<IEnumerable<string>>> InputValueSources { get; } = [];
    public List<Func<IEnumerable<AbsolutePath>>> OutputFiles { get; } = [];
    public List<AlwaysRunCondition> AlwaysRunConditions { get; } = [];
    public List<Action> Requirements { get; } = [];

    public bool IsIncremental => InputFiles.Count > 0 || InputValueSources.Count > 0;

    public ITargetDefinition Description(string text) => With(() => DescriptionText = text);

    public ITargetDefinition DependsOn(params Target[] targets) => With(() => Dependencies.AddRange(targets));

    public ITargetDefinition Executes(Action action) => With(() => Actions.Add(action));

    public ITargetDefinition Inputs(Func<IEnumerable<AbsolutePath>> files) => With(() => InputFiles.Add(files));

    public ITargetDefinition InputValues(Func<IEnumerable<string>> values) => With(() => InputValueSources.Add(values));

    public ITargetDefinition Outputs(Func<IEnumerable<AbsolutePath>> files) => With(() => OutputFiles.Add(files));

    public ITargetDefinition AlwaysRunsWhen(Func<bool> condition, string reason) => With(() => AlwaysRunConditions.Add(new(condition, reason)));

    public ITargetDefinition Requires(Action check) => With(() => Requirements.Add(check));

    public bool IsDeclaredBy(Target target) => SameTarget(target, Declaration);

    /// <summary>Property getters return a fresh delegate each call; equal method and instance mean the same target.</summary>
    public static bool SameTarget(Target a, Target b) => a.Method == b.Method && ReferenceEquals(a.Target, b.Target);

    private TargetDefinition With(Action change)
    {
        change();
        return this;
    }
}

/// <summary>A reason to run a target whatever its state. A class, not a tuple: LINQ over a struct is compiled at run time,
/// outside the ReadyToRun image, and this is looked at on every build.</summary>
internal sealed record AlwaysRunCondition(Func<bool> Condition, string Reason);
