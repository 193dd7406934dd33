using System.Runtime.InteropServices;
using TracerBuild.Bpf;

namespace TracerBuild.Tests;

/// <summary>src/Tracer/Bpf/Events.g.cs is what the generator makes of the real objects, and C# lays it out as their BTF does.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class EventTypesFileTests(BuildScriptFixture build)
{
    private static readonly string Header = Path.Combine(Repository.Root, "bpf", "tracer.h");

    [Fact]
    public void The_committed_file_is_what_both_arches_objects_generate()
    {
        // Under CI the build checks the file instead of rewriting it, so a stale one fails here rather than being fixed.
        build.SucceedIn(Repository.Root, environment: new() { ["CI"] = "true" }, "--target", "CompileBpf", "--arch", "all");

        var generated = EventTypesFile.Generate(Header, [("x64", BpfObject("x64")), ("arm64", BpfObject("arm64"))]);

        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, EventTypesFile.RelativePath)), generated);
    }

    [Theory]
    [InlineData("x64")]
    [InlineData("arm64")]
    public void The_compiled_types_have_the_objects_sizes_offsets_and_values(string arch)
    {
        build.Succeed("--target", "CompileBpf", "--arch", "all");
        var types = SharedTypes.Read(Header, BpfObject(arch));
        var tracer = typeof(Tracer.Bpf.EventHeader).Assembly;

        Assert.NotEmpty(types.Structs);
        foreach (var s in types.Structs)
        {
            var type = tracer.GetType($"{EventTypesGenerator.Namespace}.{EventTypesGenerator.PascalCase(s.Name)}", throwOnError: true)!;
            Assert.True(Marshal.SizeOf(type) == s.Size, $"{arch}: {type.Name} is {Marshal.SizeOf(type)} bytes, struct {s.Name} {s.Size}");
            Assert.Equal(s.Size, (int)type.GetField("Size")!.GetValue(null)!);
            foreach (var field in s.Fields)
            {
                var offset = (int)Marshal.OffsetOf(type, EventTypesGenerator.PascalCase(field.Name));
                Assert.True(offset == field.Offset, $"{arch}: {type.Name}.{EventTypesGenerator.PascalCase(field.Name)} is at {offset}, {s.Name}.{field.Name} at {field.Offset}");
            }
        }
        foreach (var e in types.Enums)
        {
            var type = tracer.GetType($"{EventTypesGenerator.Namespace}.{EventTypesGenerator.PascalCase(e.Name)}", throwOnError: true)!;
            Assert.Equal(e.Size, Marshal.SizeOf(Enum.GetUnderlyingType(type)));
            Assert.Equal(e.Members.Select(m => m.Value), Enum.GetValues(type).Cast<object>().Select(Convert.ToInt64));
        }
    }

    private static string BpfObject(string arch) => BuildScriptFixture.Artifact($"obj/bpf/{arch}/tracer.bpf.o");
}
