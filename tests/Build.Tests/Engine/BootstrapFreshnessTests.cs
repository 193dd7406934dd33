namespace TracerBuild.Tests;

/// <summary>
/// When the build program must be compiled again: the rule in <see cref="BuildProgramFreshness"/> (which build.cmd asks
/// through the program) and build.sh's find(1), on one scratch checkout changed one way at a time.
/// </summary>
public sealed class BootstrapFreshnessTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly TempDirectory _tools = new();

    private string Root => _temp.Path;
    private string Stamp => Path.Combine(Root, ".nuke", "temp", "build-program.stamp");

    public BootstrapFreshnessTests()
    {
        File.Copy(Path.Combine(Repository.Root, "build.sh"), Path.Combine(Root, "build.sh"));
        string[] files = ["global.json", "Directory.Build.props", "build/_build.csproj", "build/Build.cs", "build/Engine/Target.cs",
                          "build/bin/Debug/net10.0/_build.dll", "build/bin/ReadyToRun/_build.dll", "build/obj/project.assets.json",
                          "build/Engine/obj/project.assets.json"];
        foreach (var file in files)
            Write(file);
        // As after a compile: everything was written before the stamp.
        var compiled = DateTime.UtcNow.AddMinutes(-5);
        foreach (var folder in Directory.EnumerateDirectories(Root, "*", SearchOption.AllDirectories))
            Directory.SetLastWriteTimeUtc(folder, compiled.AddMinutes(-5));
        foreach (var file in files)
            File.SetLastWriteTimeUtc(Path.Combine(Root, file), compiled.AddMinutes(-5));
        Directory.CreateDirectory(Path.GetDirectoryName(Stamp)!);
        File.WriteAllText(Stamp, "");
        File.SetLastWriteTimeUtc(Stamp, compiled);
    }

    public void Dispose()
    {
        _temp.Dispose();
        _tools.Dispose();
    }

    public static TheoryData<string, bool> Changes => new()
    {
        { "nothing", false },
        { "edit build/Build.cs", true },
        { "add build/Engine/Added.cs", true },
        { "delete build/Engine/Target.cs", true },
        { "edit build/bin/Debug/net10.0/_build.dll", false },
        { "add build/obj/Debug/net10.0/_build.AssemblyInfo.cs", false },
        { "add build/Engine/obj/Debug/net10.0/Engine.AssemblyInfo.cs", false },
        { "edit build/bin/ReadyToRun/_build.dll", false },
        { "edit global.json", true },
        { "add Directory.Packages.props", true },
        { "delete the stamp", true },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void The_rule_says_the_program_is_stale_after_a_change_to_what_it_is_compiled_from(string change, bool stale)
    {
        Apply(change);

        Assert.Equal(stale, BuildProgramFreshness.IsStale(Root, Stamp));
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void Build_sh_compiles_the_program_after_the_same_changes(string change, bool stale)
    {
        var calls = Path.Combine(_tools.Path, "calls");
        var dotnet = Path.Combine(_tools.Path, "dotnet");
        File.WriteAllText(dotnet, $"#!/bin/sh\necho \"$1\" >> {calls}\n");
        File.SetUnixFileMode(dotnet, TarballEntry.Executable);
        Apply(change);

        var result = BuildScriptFixture.BuildScript(Root, new Dictionary<string, string> { ["DOTNET_EXE"] = dotnet }, "--help");

        Assert.True(result.ExitCode == 0, result.Output);
        var program = Path.Combine(Root, Repository.BuildProgram.RelativePath);
        Assert.Equal(stale ? [Repository.BuildProgram.Verb, program] : [program], File.ReadAllLines(calls));
    }

    [Fact]
    public void Given_the_stamp_the_program_exits_75_at_once_when_stale_and_runs_when_fresh()
    {
        ProcessResult Help() => Programs.TryRun("dotnet", [Path.Combine(AppContext.BaseDirectory, "_build.dll"), "--help"],
            environment: new Dictionary<string, string> { ["BUILD_ENGINE_ROOT"] = Root, [BuildProgramFreshness.StampVariable] = Stamp });

        Apply("edit build/Build.cs");
        var stale = Help();
        Assert.Equal(BuildProgramFreshness.StaleExitCode, stale.ExitCode);
        Assert.Equal("", stale.Output);

        File.SetLastWriteTimeUtc(Stamp, DateTime.UtcNow.AddSeconds(1));
        var fresh = Help();
        Assert.True(fresh.ExitCode == 0, fresh.Output);
        Assert.Contains("Targets:", fresh.Output);
    }

    /// <summary>"nothing", "delete the stamp", or "edit|add|delete path".</summary>
    private void Apply(string change)
    {
        if (change == "nothing")
            return;
        if (change == "delete the stamp")
        {
            File.Delete(Stamp);
            return;
        }
        var (verb, path) = change.Split(' ', 2) is [var v, var p] ? (v, p) : throw new ArgumentException(change);
        if (verb == "delete")
            File.Delete(Path.Combine(Root, path));
        else
            Write(path);
    }

    private void Write(string path)
    {
        var file = Path.Combine(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.AppendAllText(file, "// written by the test\n");
    }
}
