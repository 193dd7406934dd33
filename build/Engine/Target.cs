namespace TracerBuild.Engine;

/// <summary>A build step, declared NUKE-style: <c>Target X => _ => _.DependsOn(Y).Executes(...)</c>.</summary>
public delegate ITargetDefinition Target(ITargetDefinition definition);

public interface ITargetDefinition
{
    ITargetDefinition Description(string text);
    ITargetDefinition DependsOn(params Target[] targets);
    ITargetDefinition Executes(Action action);
}

internal sealed class TargetDefinition(string name, Target declaration) : ITargetDefinition
{
    public string Name { get; } = name;
    public Target Declaration { get; } = declaration;
    public string DescriptionText { get; private set; } = "";
    public List<Target> Dependencies { get; } = [];
    public List<Action> Actions { get; } = [];

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

    /// <summary>Property getters return a fresh delegate each call; equal method and target mean the same target.</summary>
    public bool IsDeclaredBy(Target target) =>
        target.Method == Declaration.Method && ReferenceEquals(target.Target, Declaration.Target);
}
