using TracerBuild.Bpf;

namespace TracerBuild.Tests;

/// <summary>One C# serves every arch, so arches whose objects lay tracer.h out differently stop the build naming the field.</summary>
public sealed class ArchAgreementTests
{
    private static readonly FieldType U64 = new("__u64", 8, false, null, null), U32 = new("__u32", 4, false, null, null);

    [Fact]
    public void A_field_of_another_type_on_one_arch_is_named_with_both_layouts()
    {
        var x64 = Generate(new SharedStruct("open_event", 16, [new("boot_ns", 0, U64), new("flags", 8, U32)]));
        var arm64 = Generate(new SharedStruct("open_event", 16, [new("boot_ns", 0, U64), new("flags", 8, U64)]));

        var failure = Assert.Throws<BuildFailedException>(() => EventTypesFile.Agree([("x64", x64), ("arm64", arm64)]));

        Assert.Equal("bpf/tracer.h lays out open_event.flags differently for x64 (__u32 at 8) and arm64 (__u64 at 8): one C# serves every arch, so tracer.h must not depend on it.", failure.Message);
    }

    [Fact]
    public void A_field_on_one_arch_only_is_named()
    {
        var x64 = Generate(new SharedStruct("open_event", 16, [new("boot_ns", 0, U64), new("nr", 8, U32)]));
        var arm64 = Generate(new SharedStruct("open_event", 8, [new("boot_ns", 0, U64)]));

        var failure = Assert.Throws<BuildFailedException>(() => EventTypesFile.Agree([("x64", x64), ("arm64", arm64)]));

        Assert.Equal("bpf/tracer.h lays out open_event.nr differently for x64 (__u32 at 8) and arm64 (absent): one C# serves every arch, so tracer.h must not depend on it.", failure.Message);
    }

    [Fact]
    public void Arches_that_agree_give_their_one_text()
    {
        var text = Generate(new SharedStruct("open_event", 8, [new("boot_ns", 0, U64)]));

        Assert.Equal(text, EventTypesFile.Agree([("x64", text), ("arm64", text)]));
    }

    private static string Generate(SharedStruct s) => EventTypesGenerator.Generate(new SharedTypes([], [s]));
}
