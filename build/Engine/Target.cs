namespace TracerBuild.Engine;

/// <summary>A build step, declared NUKE-style: <c>Target X => _ => _.DependsOn(Y).Executes(...)</c>.</summary>
public delegate ITargetDefinition Target(ITargetDefinition definition);

public interface ITargetDefinition
{
    ITargetDefinition Description(string text);
    ITargetDefinition DependsOn(params Target[] targets);
    ITargetDefinition Executes(Action action);

    /// <summary>Files (or folders, meaning every file in them) whose content decides whether the target must run again.</summary>
    ITargetDefinition Inputs(Func<IEnumerable<string>> files);

    /// <summary>Other things the result depends on: parameter values, tool versions, command lines.</summary>
    ITargetDefinition InputValues(Func<IEnumerable<string>> values);

    /// <summary>Files the target writes; with inputs declared, an unchanged run with these intact is UpToDate.</summary>
    ITargetDefinition Outputs(Func<IEnumerable<string>> files);

    /// <summary>Runs even when its inputs are unchanged while the condition holds (e.g. an unpinned download).</summary>
    ITargetDefinition AlwaysRunsWhen(Func<bool> condition, string reason);
}

internal sealed class TargetDefinition(string name, Target declaration) : ITargetDefinition
{
    public string Name { get; } = name;
    public Target Declaration { get; } = declaration;
    public string DescriptionText { get; private set; } = "";
    public List<Target> Dependencies { get; } = [];
    public List<Action> Actions { get; } = [];
    public List<Func<IEnumerable<string>>> InputFiles { get; } = [];
    public List<Func<IEnumerable<string>>> InputValueSources { get; } = [];
    public List<Func<IEnumerable<string>>> OutputFiles { get; } = [];
    public List<(Func<bool> Condition, string Reason)> AlwaysRunConditions { get; } = [];

    public bool IsIncremental => InputFiles.Count > 0 || InputValueSources.Count > 0;

    public ITargetDefinition Description(string text)
    {
        DescriptionText = text;
        return this;
    }

    public ITargetDefinition DependsOn(params Target[] targets)
    {
        Dependencies.AddRange(targets);
        return this;
    }

    public ITargetDefinition Executes(Action action)
    {
        Actions.Add(action);
        return this;
    }

    public ITargetDefinition Inputs(Func<IEnumerable<string>> files)
    {
        InputFiles.Add(files);
        return this;
    }

    public ITargetDefinition InputValues(Func<IEnumerable<string>> values)
    {
        InputValueSources.Add(values);
        return this;
    }

    public ITargetDefinition Outputs(Func<IEnumerable<string>> files)
    {
        OutputFiles.Add(files);
        return this;
    }

    public ITargetDefinition AlwaysRunsWhen(Func<bool> condition, string reason)
    {
        AlwaysRunConditions.Add((condition, reason));
        return this;
    }

    /// <summary>Property getters return a fresh delegate each call; equal method and target mean the same target.</summary>
    public bool IsDeclaredBy(Target target) =>
        target.Method == Declaration.Method && ReferenceEquals(target.Target, Declaration.Target);
}
