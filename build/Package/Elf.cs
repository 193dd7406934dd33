using System.Buffers.Binary;
using System.Text;

namespace TracerBuild.Package;

/// <summary>
/// Reads what an ELF file says: the machine it was built for, its section names, a section's content, its symbols.
/// </summary>
public static class Elf
{
    public const ushort MachineBpf = 247;

    /// <summary>The header's e_machine, or null when the file is not a 64-bit little-endian ELF file.</summary>
    public static ushort? Machine(string path)
    {
        var header = ReadHeader(path);
        return header is null ? null : BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18));
    }

    public static bool IsElf(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("\u007fELF"u8);
    }

    /// <summary>The names of a 64-bit little-endian ELF file's sections (empty for other files).</summary>
    public static IReadOnlyList<string> SectionNames(string path) => Sections(path).Select(s => s.Name).ToList();

    /// <summary>The content of the section of that name, or null when the file has none (or is no 64-bit little-endian ELF file).</summary>
    public static byte[]? SectionData(string path, string name)
    {
        if (Sections(path).FirstOrDefault(s => s.Name == name) is not { } section)
            return null;
        using var stream = File.OpenRead(path);
        var data = new byte[section.Size];
        stream.Position = section.Offset;
        stream.ReadExactly(data);
        return data;
    }

    /// <summary>A symbol of the symbol table: STT_FUNC is 2, STT_OBJECT 1; STB_GLOBAL 1; the section it is defined in ("" when none).</summary>
    public sealed record Symbol(string Name, int Type, int Binding, string Section);

    public const int SymbolObject = 1;
    public const int SymbolFunction = 2;
    public const int BindingGlobal = 1;

    /// <summary>The entries of .symtab, named through .strtab (empty for a file without them).</summary>
    public static IReadOnlyList<Symbol> Symbols(string path)
    {
        var sections = Sections(path);
        if (SectionData(path, ".symtab") is not { } table || SectionData(path, ".strtab") is not { } names)
            return [];
        const int EntrySize = 24; // Elf64_Sym
        var symbols = new List<Symbol>(table.Length / EntrySize);
        for (var offset = 0; offset + EntrySize <= table.Length; offset += EntrySize)
        {
            var entry = table.AsSpan(offset, EntrySize);
            var name = names.AsSpan((int)BinaryPrimitives.ReadUInt32LittleEndian(entry));
            var index = BinaryPrimitives.ReadUInt16LittleEndian(entry[6..]);
            symbols.Add(new Symbol(
                Encoding.ASCII.GetString(name[..name.IndexOf((byte)0)]),
                entry[4] & 0xf,
                entry[4] >> 4,
                index > 0 && index < sections.Count ? sections[index].Name : ""));
        }
        return symbols;
    }

    private sealed record Section(string Name, long Offset, long Size);

    private static List<Section> Sections(string path)
    {
        if (ReadHeader(path) is not { } header)
            return [];
        var sectionsOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x28));
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3A));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3C));
        var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3E));

        using var stream = File.OpenRead(path);
        var sections = new byte[entrySize * count];
        stream.Position = sectionsOffset;
        stream.ReadExactly(sections);
        var namesSection = sections.AsSpan(namesIndex * entrySize, entrySize);
        var names = new byte[BinaryPrimitives.ReadUInt64LittleEndian(namesSection[0x20..])];
        stream.Position = (long)BinaryPrimitives.ReadUInt64LittleEndian(namesSection[0x18..]);
        stream.ReadExactly(names);

        var result = new List<Section>(count);
        for (var i = 0; i < count; i++)
        {
            var entry = sections.AsSpan(i * entrySize, entrySize);
            var name = names.AsSpan((int)BinaryPrimitives.ReadUInt32LittleEndian(entry));
            result.Add(new Section(
                Encoding.ASCII.GetString(name[..name.IndexOf((byte)0)]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[0x18..]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[0x20..])));
        }
        return result;
    }

    private static byte[]? ReadHeader(string path)
    {
        var header = new byte[64];
        using (var stream = File.OpenRead(path))
        {
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
                return null;
        }
        var isElf64LittleEndian = header.AsSpan(0, 4).SequenceEqual("\u007fELF"u8) && header[4] == 2 && header[5] == 1;
        return isElf64LittleEndian ? header : null;
    }
}
