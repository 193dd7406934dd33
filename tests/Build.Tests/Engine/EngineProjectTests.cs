namespace TracerBuild.Tests;

/// <summary>The engine is a project of its own that knows nothing of this build: it compiles with the build's files absent.</summary>
public sealed class EngineProjectTests : IDisposable
{
    private readonly TempDirectory _checkout = new();

    public void Dispose() => _checkout.Dispose();

    [Fact]
    public void The_engine_project_builds_alone_in_a_checkout_holding_nothing_else_of_the_build()
    {
        foreach (var file in BuildProgramFreshness.SharedBuildFiles)
            File.Copy(Path.Combine(Repository.Root, file), Path.Combine(_checkout.Path, file));
        var engine = Path.Combine(_checkout.Path, "build", "Engine");
        Directory.CreateDirectory(engine);
        foreach (var source in Directory.EnumerateFiles(Path.Combine(Repository.Root, "build", "Engine")))
            File.Copy(source, Path.Combine(engine, Path.GetFileName(source)));

        var build = Programs.TryRun("dotnet", ["build", Path.Combine(engine, "Engine.csproj"), "-nologo", "-v", "q", "--disable-build-servers"], echo: false);

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.True(File.Exists(Path.Combine(engine, "bin", "Debug", "net10.0", "Engine.dll")));
        Assert.False(Directory.Exists(Path.Combine(_checkout.Path, "build", "obj")), "something outside the engine was built");
    }
}
