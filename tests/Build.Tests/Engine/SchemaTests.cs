namespace TracerBuild.Tests;

public sealed class SchemaTests
{
    [Fact]
    public void The_committed_parameters_schema_is_the_one_the_build_generates()
    {
        var build = new Build();
        var generated = Engine.Schema.Generate(build, Engine.Parameter.Discover(build));
        var committed = File.ReadAllText(Path.Combine(Repository.Root, ".nuke", "build.schema.json"));

        Assert.True(generated == committed, ".nuke/build.schema.json is stale: run ./build.sh --help to regenerate it, then commit it.");
    }

    [Fact]
    public void The_schema_types_each_parameter_and_rejects_unknown_ones()
    {
        var build = new Build();
        using var schema = System.Text.Json.JsonDocument.Parse(Engine.Schema.Generate(build, Engine.Parameter.Discover(build)));
        var properties = schema.RootElement.GetProperty("properties");

        Assert.False(schema.RootElement.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal("array", properties.GetProperty("Arch").GetProperty("type").GetString());
        Assert.Equal(["Debug", "Release"], properties.GetProperty("Configuration").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("boolean", properties.GetProperty("SelfContained").GetProperty("type").GetString());
        Assert.False(properties.GetProperty("GithubToken").TryGetProperty("default", out _));
    }
}
