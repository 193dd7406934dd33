namespace TracerBuild.Tests;

[CollectionDefinition(Name)]
public sealed class BuildScriptCollection : ICollectionFixture<BuildScriptFixture>
{
    public const string Name = "build.sh";
}
