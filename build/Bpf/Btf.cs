using System.Buffers.Binary;
using System.Text;
using TracerBuild.Package;

namespace TracerBuild.Bpf;

/// <summary>BTF kinds, numbered as in the kernel's include/uapi/linux/btf.h.</summary>
public enum BtfKind
{
    Void, Int, Pointer, Array, Struct, Union, Enum, Forward, Typedef, Volatile, Const, Restrict,
    Function, FunctionPrototype, Variable, DataSection, Float, DeclarationTag, TypeTag, Enum64,
}

/// <summary>One BTF type; which properties mean something depends on its kind.</summary>
public sealed record BtfType(BtfKind Kind, string Name)
{
    /// <summary>Bytes, for integers, structs, unions and enums.</summary>
    public int Size { get; init; }

    /// <summary>The type referred to: by a typedef, pointer or qualifier, or an array's element.</summary>
    public int Type { get; init; }

    /// <summary>A signed integer, or an enum with negative values.</summary>
    public bool Signed { get; init; }

    /// <summary>An array's element count.</summary>
    public int Length { get; init; }

    public IReadOnlyList<BtfMember> Members { get; init; } = [];

    public IReadOnlyList<BtfEnumerator> Enumerators { get; init; } = [];
}

/// <summary>A struct or union member; BitfieldSize is 0 unless it is a bitfield.</summary>
public sealed record BtfMember(string Name, int Type, int BitOffset, int BitfieldSize);

public sealed record BtfEnumerator(string Name, long Value);

/// <summary>
/// The types of a BPF object's .BTF section (format: the kernel's Documentation/bpf/btf.rst), read in process: a few
/// hundred types take about a millisecond, where bpftool costs a process and a JSON document per object.
/// </summary>
public sealed class Btf(IReadOnlyList<BtfType> types)
{
    private const ushort Magic = 0xEB9F;

    /// <summary>By type id; id 0 is void.</summary>
    public IReadOnlyList<BtfType> Types { get; } = types;

    public static Btf Read(string bpfObject) =>
        Parse(Elf.SectionData(bpfObject, ".BTF") ?? throw new BuildFailedException($"{bpfObject} has no .BTF section: compile it with clang -g."), bpfObject);

    public static Btf Parse(ReadOnlySpan<byte> section, string source)
    {
        if (section.Length < 24 || BinaryPrimitives.ReadUInt16LittleEndian(section) != Magic)
            throw new BuildFailedException($"{source}: its .BTF section is not little-endian BTF.");
        var headerLength = (int)U32(section, 4);
        var typeData = section.Slice(headerLength + (int)U32(section, 8), (int)U32(section, 12));
        var strings = section.Slice(headerLength + (int)U32(section, 16), (int)U32(section, 20));

        var types = new List<BtfType> { new(BtfKind.Void, "") };
        var at = 0;
        while (at < typeData.Length)
        {
            var name = Name(strings, U32(typeData, at));
            var info = U32(typeData, at + 4);
            var sizeOrType = (int)U32(typeData, at + 8);
            var kind = (BtfKind)((info >> 24) & 0x1F);
            var count = (int)(info & 0xFFFF);
            var kindFlag = (info >> 31) == 1;
            var data = typeData[(at + 12)..];
            at += 12;
            switch (kind)
            {
                case BtfKind.Int:
                    const uint signedEncoding = 1;
                    types.Add(new(kind, name) { Size = sizeOrType, Signed = ((U32(data, 0) >> 24) & signedEncoding) != 0 });
                    at += 4;
                    break;
                case BtfKind.Array:
                    types.Add(new(kind, name) { Type = (int)U32(data, 0), Length = (int)U32(data, 8) });
                    at += 12;
                    break;
                case BtfKind.Struct or BtfKind.Union:
                    var members = new List<BtfMember>(count);
                    for (var i = 0; i < count; i++)
                    {
                        var offset = U32(data, i * 12 + 8);
                        // With kind_flag set, the offset word holds a bitfield's size in its top byte.
                        members.Add(kindFlag
                            ? new(Name(strings, U32(data, i * 12)), (int)U32(data, i * 12 + 4), (int)(offset & 0xFFFFFF), (int)(offset >> 24))
                            : new(Name(strings, U32(data, i * 12)), (int)U32(data, i * 12 + 4), (int)offset, 0));
                    }
                    types.Add(new(kind, name) { Size = sizeOrType, Members = members });
                    at += count * 12;
                    break;
                case BtfKind.Enum:
                    var enumerators = new List<BtfEnumerator>(count);
                    for (var i = 0; i < count; i++)
                    {
                        var value = U32(data, i * 8 + 4);
                        enumerators.Add(new(Name(strings, U32(data, i * 8)), kindFlag ? (int)value : value));
                    }
                    types.Add(new(kind, name) { Size = sizeOrType, Signed = enumerators.Any(e => e.Value < 0), Enumerators = enumerators });
                    at += count * 8;
                    break;
                default:
                    // The word is a type id for typedefs, pointers, qualifiers and variables (a size for the rest, not kept).
                    types.Add(new(kind, name) { Type = sizeOrType });
                    at += TrailingBytes(kind, count, source);
                    break;
            }
        }
        return new Btf(types);
    }

    /// <summary>What follows the common 12 bytes of a type of a kind this reader keeps no details of.</summary>
    private static int TrailingBytes(BtfKind kind, int count, string source) => kind switch
    {
        BtfKind.Pointer or BtfKind.Forward or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
            or BtfKind.Function or BtfKind.Float or BtfKind.TypeTag => 0,
        BtfKind.FunctionPrototype => count * 8,
        BtfKind.Variable or BtfKind.DeclarationTag => 4,
        BtfKind.DataSection or BtfKind.Enum64 => count * 12,
        _ => throw new BuildFailedException($"{source}: its BTF has a type of kind {(int)kind}, which this reader does not know."),
    };

    private static uint U32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);

    private static string Name(ReadOnlySpan<byte> strings, uint offset)
    {
        var text = strings[(int)offset..];
        return Encoding.UTF8.GetString(text[..text.IndexOf((byte)0)]);
    }
}
