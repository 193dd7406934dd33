using TracerBuild.Bpf;

namespace TracerBuild.Tests;

/// <summary>
/// Adding a field is the header, the BPF code that fills it and the line that prints it: a field added to a copy of
/// bpf/tracer.h comes out in the generated C#, and the drift check names it in its one line.
/// </summary>
[Collection(BuildScriptCollection.Name)]
public sealed class EventFieldTests(BuildScriptFixture build) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_field_added_to_the_header_is_generated_and_the_drift_check_names_it()
    {
        Assert.SkipWhen(!OnPath("clang"), "Compiling BPF code needs clang (the Test target's Preflight installs it).");
        build.Succeed("--target", "Vmlinux", "--arch", "all");
        var sources = Path.Combine(_temp.Path, "bpf");
        Directory.CreateDirectory(sources);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository.Root, "bpf")))
            File.Copy(file, Path.Combine(sources, Path.GetFileName(file)));
        var header = Path.Combine(sources, "tracer.h");
        var original = File.ReadAllText(header);
        var result = "\t__s32 result;       /* fd, or -errno */\n";
        Assert.Contains(result, original);
        File.WriteAllText(header, original.Replace(result, result + "\t__u32 extra;\n"));

        // As CompileBpf does: each arch's object with its own vmlinux.h, then one C# for both.
        var objects = Arch.All.Select(arch =>
        {
            var output = Path.Combine(_temp.Path, arch.Name, "tracer.bpf.o");
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            BpfCompiler.Compile(arch, BpfCompiler.Arguments(arch, BuildScriptFixture.Artifact($"obj/vmlinux/{arch.VmlinuxDir}"), sources, _temp.Path, output), output);
            return (arch.Name, output);
        }).ToList();
        var generated = EventTypesFile.Generate(header, objects);

        Assert.Contains("    public uint Extra; // open_event.extra: __u32 at 40\n", generated);
        Assert.Contains("    public fixed byte Path[PathLength]; // open_event.path: char[256] at 44\n", generated);
        Assert.Contains("    public const int Size = 304; // open_event: 304 bytes\n", generated);

        var committed = Path.Combine(_temp.Path, "Events.g.cs");
        File.Copy(Path.Combine(Repository.Root, EventTypesFile.RelativePath), committed);
        var before = File.ReadAllText(committed);
        var failure = Assert.Throws<BuildFailedException>(() => EventTypesFile.Update(committed, generated, ci: true));
        Assert.Equal("src/Tracer/Bpf/Events.g.cs is out of date with bpf/tracer.h (open_event.extra added): run ./build.sh --target CompileBpf locally and commit the file.", failure.Message);
        Assert.Equal(before, File.ReadAllText(committed));

        Assert.Equal("src/Tracer/Bpf/Events.g.cs: open_event.extra added", EventTypesFile.Update(committed, generated, ci: false));
        Assert.Equal(generated, File.ReadAllText(committed));
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(dir => File.Exists(Path.Combine(dir, program)));
}
