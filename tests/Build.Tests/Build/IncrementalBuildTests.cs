namespace TracerBuild.Tests;

/// <summary>
/// ./build.sh in a scratch clone: a warm no-op runs no MSBuild and finds every target up to date; editing the BPF code
/// reruns CompileBpf and what consumes its object, nothing before it; a hand edit of the C# it generates is undone.
/// </summary>
[Collection(BuildScriptCollection.Name)]
public sealed class IncrementalBuildTests(BuildScriptFixture build) : IDisposable
{
    private static readonly string[] Targets = ["Preflight", "Restore", "Vmlinux", "CompileBpf", "Publish", "Package"];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_warm_run_skips_msbuild_and_every_target_and_an_edit_reruns_only_what_it_affects()
    {
        var clone = Path.Combine(_temp.Path, "clone");
        Programs.Run("git", ["clone", "-q", Repository.Root, clone], echo: false);
        var dotnetLog = Path.Combine(_temp.Path, "dotnet.log");
        var wrapper = Path.Combine(_temp.Path, "dotnet");
        File.WriteAllText(wrapper, $"#!/bin/sh\necho \"$1\" >> {dotnetLog}\nexec dotnet \"$@\"\n");
        File.SetUnixFileMode(wrapper, TarballEntry.Executable);
        string[] package = ["--target", "Package", "--arch", "x64", "--self-contained", "false"];
        ProcessResult Package()
        {
            File.Delete(dotnetLog);
            // CI unset: under CI the build only checks Events.g.cs, and this test edits it to see it undone.
            return build.SucceedIn(clone, environment: new() { ["DOTNET_EXE"] = wrapper, ["CI"] = "" }, package);
        }

        var compile = Repository.BuildProgram.Verb;
        Package();
        Assert.Equal(compile, File.ReadAllLines(dotnetLog)[0]);

        var warm = Package();
        Assert.Equal([], File.ReadAllLines(dotnetLog).Where(verb => verb is "build" or "publish" or "restore"));
        Assert.All(Targets, t => Assert.Matches($@"(?m)^{t}\s+UpToDate", warm.Output));

        foreach (var file in Directory.EnumerateFiles(Path.Combine(clone, "bpf")))
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1));
        Assert.All(Targets, t => Assert.Matches($@"(?m)^{t}\s+UpToDate", Package().Output));

        // A new read-only global changes the object's .rodata, so the object really changes.
        File.AppendAllText(Path.Combine(clone, "bpf", "tracer.bpf.c"), "\nconst volatile int incremental_test_marker = 1;\n");
        var edited = Package();
        Assert.All(["Preflight", "Restore", "Vmlinux"], t => Assert.Matches($@"(?m)^{t}\s+UpToDate", edited.Output));
        Assert.All(["CompileBpf", "Publish", "Package"], t => Assert.Matches($@"(?m)^{t}\s+Succeeded", edited.Output));

        // Events.g.cs is an output of CompileBpf: a hand edit is undone before Publish looks, so Publish has nothing new.
        var eventTypes = Path.Combine(clone, "src", "Tracer", "Bpf", "Events.g.cs");
        var generated = File.ReadAllText(eventTypes);
        File.WriteAllText(eventTypes, generated.Replace("public uint Pid;", "public int Pid;"));
        var handEdited = Package();
        Assert.Contains("src/Tracer/Bpf/Events.g.cs: event_header.pid changed\n", handEdited.Output);
        Assert.Matches(@"(?m)^CompileBpf\s+Succeeded", handEdited.Output);
        Assert.All(["Publish", "Package"], t => Assert.Matches($@"(?m)^{t}\s+UpToDate", handEdited.Output));
        Assert.Equal(generated, File.ReadAllText(eventTypes));

        File.AppendAllText(Path.Combine(clone, "build", "Build.cs"), "\n");
        Package();
        Assert.Equal(compile, File.ReadAllLines(dotnetLog)[0]);
    }
}
