namespace TracerBuild.Tests;

/// <summary>Reads what the build writes to the console, so nothing else may run meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
