using System.Text.Json;
using TracerBuild.Bpf;

namespace TracerBuild.Tests;

/// <summary>The build's own BTF reader reads every type of the real objects as bpftool does.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class BtfTests(BuildScriptFixture build)
{
    private static readonly Dictionary<string, BtfKind> Kinds = new()
    {
        ["INT"] = BtfKind.Int, ["PTR"] = BtfKind.Pointer, ["ARRAY"] = BtfKind.Array, ["STRUCT"] = BtfKind.Struct,
        ["UNION"] = BtfKind.Union, ["ENUM"] = BtfKind.Enum, ["FWD"] = BtfKind.Forward, ["TYPEDEF"] = BtfKind.Typedef,
        ["VOLATILE"] = BtfKind.Volatile, ["CONST"] = BtfKind.Const, ["RESTRICT"] = BtfKind.Restrict, ["FUNC"] = BtfKind.Function,
        ["FUNC_PROTO"] = BtfKind.FunctionPrototype, ["VAR"] = BtfKind.Variable, ["DATASEC"] = BtfKind.DataSection,
        ["FLOAT"] = BtfKind.Float, ["DECL_TAG"] = BtfKind.DeclarationTag, ["TYPE_TAG"] = BtfKind.TypeTag, ["ENUM64"] = BtfKind.Enum64,
    };

    [Theory]
    [InlineData("x64")]
    [InlineData("arm64")]
    public void Every_type_reads_as_bpftool_dumps_it(string arch)
    {
        build.Succeed("--target", "CompileBpf", "--arch", "all");
        var bpfObject = BuildScriptFixture.Artifact($"obj/bpf/{arch}/tracer.bpf.o");
        var dumped = JsonDocument.Parse(Programs.Run("bpftool", ["-j", "btf", "dump", "file", bpfObject], echo: false).Output)
            .RootElement.GetProperty("types").EnumerateArray().ToList();

        var types = Btf.Read(bpfObject).Types;

        Assert.Equal(dumped.Count + 1, types.Count);
        foreach (var expected in dumped)
        {
            var type = types[expected.GetProperty("id").GetInt32()];
            var name = expected.GetProperty("name").GetString();
            Assert.Equal((Kinds[expected.GetProperty("kind").GetString()!], name == "(anon)" ? "" : name), (type.Kind, type.Name));
            switch (type.Kind)
            {
                case BtfKind.Int:
                    Assert.Equal((expected.GetProperty("size").GetInt32(), expected.GetProperty("encoding").GetString() == "SIGNED"), (type.Size, type.Signed));
                    break;
                case BtfKind.Array:
                    Assert.Equal((expected.GetProperty("type_id").GetInt32(), expected.GetProperty("nr_elems").GetInt32()), (type.Type, type.Length));
                    break;
                case BtfKind.Struct or BtfKind.Union:
                    Assert.Equal(expected.GetProperty("size").GetInt32(), type.Size);
                    Assert.Equal(
                        expected.GetProperty("members").EnumerateArray().Select(m => new BtfMember(
                            m.GetProperty("name").GetString() is "(anon)" or null ? "" : m.GetProperty("name").GetString()!,
                            m.GetProperty("type_id").GetInt32(), m.GetProperty("bits_offset").GetInt32(),
                            m.TryGetProperty("bitfield_size", out var bits) ? bits.GetInt32() : 0)),
                        type.Members);
                    break;
                case BtfKind.Enum:
                    Assert.Equal(expected.GetProperty("size").GetInt32(), type.Size);
                    // bpftool 7.1 prints a 4-byte enum's values from 2^31 up sign-extended to 64 bits: compare the enum's 4 bytes.
                    Assert.Equal(
                        expected.GetProperty("values").EnumerateArray().Select(v => (v.GetProperty("name").GetString()!, (uint)Value(v.GetProperty("val")))),
                        type.Enumerators.Select(e => (e.Name, (uint)e.Value)));
                    break;
                case BtfKind.Typedef or BtfKind.Pointer or BtfKind.Const or BtfKind.Volatile or BtfKind.Variable:
                    Assert.Equal(expected.GetProperty("type_id").GetInt32(), type.Type);
                    break;
            }
        }
    }

    private static ulong Value(JsonElement number) => number.TryGetUInt64(out var value) ? value : unchecked((ulong)number.GetInt64());
}
