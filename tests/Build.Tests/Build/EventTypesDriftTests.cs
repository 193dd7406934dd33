using TracerBuild.Bpf;

namespace TracerBuild.Tests;

/// <summary>What CompileBpf says when src/Tracer/Bpf/Events.g.cs differs from what the header generates: one line naming the first difference.</summary>
public sealed class EventTypesDriftTests : IDisposable
{
    private static readonly FieldType U64 = new("__u64", 8, false, null, null), U32 = new("__u32", 4, false, null, null);
    private static readonly string Current = Generate([new("boot_ns", 0, U64), new("flags", 8, U32), new("result", 12, U32)], 16);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_removed_field_is_named_before_the_fields_it_moves()
    {
        var after = Generate([new("boot_ns", 0, U64), new("result", 8, U32)], 16);

        Assert.Equal("open_event.flags removed", LayoutDiff.First(Current, after)?.ToString());
    }

    [Fact]
    public void A_field_of_another_type_is_named_with_both_layouts()
    {
        var after = Generate([new("boot_ns", 0, U64), new("flags", 8, U64), new("result", 16, U32)], 24);

        Assert.Equal("open_event.flags changed (__u32 at 8 -> __u64 at 8)", LayoutDiff.First(Current, after)?.ToString());
    }

    [Fact]
    public void A_hand_edit_of_a_field_is_named_and_undone_outside_ci()
    {
        var path = Path.Combine(_temp.Path, "Events.g.cs");
        File.WriteAllText(path, Current.Replace("public uint Flags;", "public int Flags;"));

        Assert.Equal("src/Tracer/Bpf/Events.g.cs: open_event.flags changed", EventTypesFile.Update(path, Current, ci: false));
        Assert.Equal(Current, File.ReadAllText(path));
        Assert.Null(EventTypesFile.Update(path, Current, ci: false));
    }

    [Fact]
    public void Program_names_come_from_every_arch_and_one_an_arch_lacks_is_arch_specific()
    {
        var x64 = new BpfObjectNames([("handle_exec", "tp_btf/sched_process_exec"), ("handle_open_exit", "tracepoint/syscalls/sys_exit_open")], ["events"]);
        var arm64 = new BpfObjectNames([("handle_exec", "tp_btf/sched_process_exec")], ["events"]);

        var text = EventTypesGenerator.GenerateNames([("x64", x64), ("arm64", arm64)]);

        Assert.Contains("ArchSpecific = new HashSet<string> { HandleOpenExit };", text);
        Assert.Contains("public const string HandleOpenExit = \"handle_open_exit\"; // programs.handle_open_exit: tracepoint/syscalls/sys_exit_open (x64 only)", text);
        Assert.Contains("public const string Events = \"events\"; // maps.events: .maps\n", text);
        Assert.Equal("programs.handle_open_exit removed", LayoutDiff.First(text, EventTypesGenerator.GenerateNames([("x64", arm64), ("arm64", arm64)]))?.ToString());
    }

    [Fact]
    public void Under_ci_an_edit_outside_the_layout_fails_and_nothing_is_written()
    {
        var path = Path.Combine(_temp.Path, "Events.g.cs");
        var edited = Current.Replace($"namespace {EventTypesGenerator.Namespace};", $"namespace {EventTypesGenerator.Namespace}; // edited");
        File.WriteAllText(path, edited);

        var failure = Assert.Throws<BuildFailedException>(() => EventTypesFile.Update(path, Current, ci: true));

        Assert.Equal("src/Tracer/Bpf/Events.g.cs was edited by hand: run ./build.sh --target CompileBpf locally and commit the file.", failure.Message);
        Assert.Equal(edited, File.ReadAllText(path));
    }

    [Fact]
    public void A_missing_file_is_created_outside_ci_and_fails_under_it()
    {
        var path = Path.Combine(_temp.Path, "Events.g.cs");

        Assert.Equal("src/Tracer/Bpf/Events.g.cs is missing: run ./build.sh --target CompileBpf locally and commit the file.",
            Assert.Throws<BuildFailedException>(() => EventTypesFile.Update(path, Current, ci: true)).Message);
        Assert.Equal("src/Tracer/Bpf/Events.g.cs: created", EventTypesFile.Update(path, Current, ci: false));
        Assert.Equal(Current, File.ReadAllText(path));
    }

    private static string Generate(IReadOnlyList<SharedField> fields, int size) =>
        EventTypesGenerator.Generate(new SharedTypes([], [new SharedStruct("open_event", size, fields)]));
}
