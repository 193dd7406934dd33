using System.Text.RegularExpressions;

namespace TracerBuild.Bpf;

/// <summary>An enum of bpf/tracer.h as the object's BTF has it.</summary>
public sealed record SharedEnum(string Name, int Size, bool Signed, IReadOnlyList<BtfEnumerator> Members);

/// <summary>A struct of bpf/tracer.h as the object's BTF lays it out.</summary>
public sealed record SharedStruct(string Name, int Size, IReadOnlyList<SharedField> Fields);

public sealed record SharedField(string Name, int Offset, FieldType Type);

/// <summary>
/// An integer, an enum of tracer.h (Enum names it) or, with Length, an array of integers. CName is the element's type
/// as the header spells it (__u32, char, enum event_type); Size the element's bytes.
/// </summary>
public sealed record FieldType(string CName, int Size, bool Signed, string? Enum, int? Length)
{
    public override string ToString() => Length is { } length ? $"{CName}[{length}]" : CName;
}

/// <summary>
/// The types bpf/tracer.h declares (every struct and enum in it, in its order), read from a compiled object's BTF: what
/// src/Tracer/Bpf/Events.g.cs is generated from. Fields must be integers, enums of the header or arrays of integers, which
/// is all the tracer reads; anything else fails naming the field.
/// </summary>
public sealed record SharedTypes(IReadOnlyList<SharedEnum> Enums, IReadOnlyList<SharedStruct> Structs)
{
    /// <summary>Declarations that open a body at the start of a line: <c>struct exec_event {</c>, <c>enum event_type {</c>.</summary>
    private static readonly Regex Declaration = new(@"^(struct|enum)\s+(\w+)\s*\{", RegexOptions.Multiline);

    public static SharedTypes Read(string header, string bpfObject) =>
        From(Declarations(File.ReadAllText(header)), Btf.Read(bpfObject), $"{Path.GetFileName(bpfObject)}'s BTF");

    public static IReadOnlyList<(string Keyword, string Name)> Declarations(string headerText) =>
        Declaration.Matches(headerText).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();

    public static SharedTypes From(IReadOnlyList<(string Keyword, string Name)> declared, Btf btf, string source)
    {
        var enumNames = declared.Where(d => d.Keyword == "enum").Select(d => d.Name).ToHashSet();
        BtfType Find(string keyword, string name) =>
            btf.Types.FirstOrDefault(t => t.Name == name && t.Kind == (keyword == "enum" ? BtfKind.Enum : BtfKind.Struct))
            ?? throw new BuildFailedException(
                $"{keyword} {name} of bpf/tracer.h is not in {source}: use it in the BPF code or add it to event_types in tracer.bpf.c.");

        var enums = declared.Where(d => d.Keyword == "enum")
            .Select(d => Find(d.Keyword, d.Name))
            .Select(t => new SharedEnum(t.Name, t.Size, t.Signed, t.Enumerators))
            .ToList();
        var structs = declared.Where(d => d.Keyword == "struct")
            .Select(d => Find(d.Keyword, d.Name))
            .Select(t => new SharedStruct(t.Name, t.Size, t.Members.Select(m => Field(btf, t.Name, m, enumNames)).ToList()))
            .ToList();
        CheckEventHeaders(structs);
        return new SharedTypes(enums, structs);
    }

    /// <summary>The tracer reads every event as an event_header first, to learn its type, so each *_event must start with its fields.</summary>
    private static void CheckEventHeaders(IReadOnlyList<SharedStruct> structs)
    {
        if (structs.FirstOrDefault(s => s.Name == "event_header") is not { } header)
            return;
        foreach (var e in structs.Where(s => s.Name.EndsWith("_event", StringComparison.Ordinal)))
        {
            var differing = header.Fields.Select((field, i) => (field, i)).FirstOrDefault(f => e.Fields.ElementAtOrDefault(f.i) != f.field).field;
            if (differing is not null)
                throw new BuildFailedException($"bpf/tracer.h: {e.Name} does not start with event_header's {differing.Name} ({differing.Type} at {differing.Offset}): begin it with EVENT_HEADER_FIELDS.");
        }
    }

    private static SharedField Field(Btf btf, string structName, BtfMember member, IReadOnlySet<string> enumNames)
    {
        var name = $"{structName}.{member.Name}";
        if (member.BitfieldSize != 0 || member.BitOffset % 8 != 0)
            throw Unsupported(name, "a bitfield");
        var (type, typedef) = Resolve(btf, member.Type);
        int? length = null;
        if (type.Kind == BtfKind.Array)
        {
            length = type.Length;
            (type, typedef) = Resolve(btf, type.Type);
            if (type.Kind != BtfKind.Int)
                throw Unsupported(name, $"an array of {Describe(type)}");
        }
        var fieldType = type.Kind switch
        {
            BtfKind.Int => new FieldType(typedef ?? type.Name, type.Size, type.Signed, null, length),
            BtfKind.Enum when enumNames.Contains(type.Name) => new FieldType($"enum {type.Name}", type.Size, type.Signed, type.Name, null),
            _ => throw Unsupported(name, Describe(type)),
        };
        return new SharedField(member.Name, member.BitOffset / 8, fieldType);
    }

    /// <summary>Past qualifiers and typedefs, keeping the first typedef's name: __u32 says more than unsigned int.</summary>
    private static (BtfType Type, string? Typedef) Resolve(Btf btf, int id)
    {
        string? typedef = null;
        var type = btf.Types[id];
        while (type.Kind is BtfKind.Typedef or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag)
        {
            if (type.Kind == BtfKind.Typedef)
                typedef ??= type.Name;
            type = btf.Types[type.Type];
        }
        return (type, typedef);
    }

    private static string Describe(BtfType type) =>
        type.Kind == BtfKind.Enum ? $"enum {type.Name}, which bpf/tracer.h does not declare"
        : $"a {type.Kind.ToString().ToLowerInvariant()}{(type.Name.Length > 0 ? $" {type.Name}" : "")}";

    private static BuildFailedException Unsupported(string field, string what) =>
        new($"bpf/tracer.h: {field} is {what}; shared fields are integers, enums of tracer.h or arrays of integers.");
}
