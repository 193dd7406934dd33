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

    /// <summary>
    /// A symbol of the symbol table: STT_FUNC is 2, STT_OBJECT 1; STB_GLOBAL 1; the section it is defined in ("" when
    /// none); its value (in an object file, its offset in that section) and size.
    /// </summary>
    public sealed record Symbol(string Name, int Type, int Binding, string Section, long Value = 0, long Size = 0);

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
            var index = BinaryPrimitives.ReadUInt16LittleEndian(entry[6..]);
            symbols.Add(new Symbol(
                Text(names, BinaryPrimitives.ReadUInt32LittleEndian(entry)),
                entry[4] & 0xf,
                entry[4] >> 4,
                index > 0 && index < sections.Count ? sections[index].Name : "",
                (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[16..])));
        }
        return symbols;
    }

    /// <summary>
    /// The relocations of an object file's section (its .rel section, as clang names them: ".rel" and the section's
    /// name): each place it patches, and the symbol it refers to.
    /// </summary>
    public static IReadOnlyList<(long Offset, Symbol Symbol)> Relocations(string path, string section)
    {
        if (SectionData(path, ".rel" + section) is not { } table)
            return [];
        var symbols = Symbols(path);
        const int EntrySize = 16; // Elf64_Rel
        var relocations = new List<(long, Symbol)>(table.Length / EntrySize);
        for (var offset = 0; offset + EntrySize <= table.Length; offset += EntrySize)
        {
            var symbol = (int)(BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan(offset + 8)) >> 32);
            if (symbol < symbols.Count)
                relocations.Add(((long)BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan(offset)), symbols[symbol]));
        }
        return relocations;
    }

    /// <summary>A symbol another library must provide at run time, and the version it is bound to ("" when none).</summary>
    public sealed record ImportedSymbol(string Name, string Version);

    /// <summary>
    /// The undefined dynamic symbols with the version each is bound to (from .gnu.version and .gnu.version_r), as
    /// <c>objdump -T</c> lists them (<c>log (GLIBC_2.29)</c>); empty for a file that imports nothing.
    /// </summary>
    public static IReadOnlyList<ImportedSymbol> ImportedSymbols(string path)
    {
        if (SectionData(path, ".dynsym") is not { } symbols || SectionData(path, ".dynstr") is not { } strings)
            return [];
        var versionOf = SectionData(path, ".gnu.version") ?? [];
        var needed = VersionRequirements(path, strings);

        const int EntrySize = 24; // Elf64_Sym
        var imported = new List<ImportedSymbol>();
        for (int offset = 0, index = 0; offset + EntrySize <= symbols.Length; offset += EntrySize, index++)
        {
            var entry = symbols.AsSpan(offset, EntrySize);
            var name = Text(strings, BinaryPrimitives.ReadUInt32LittleEndian(entry));
            if (BinaryPrimitives.ReadUInt16LittleEndian(entry[6..]) != 0 || name.Length == 0)
                continue; // defined here, or the null symbol
            var version = 2 * index + 2 <= versionOf.Length ? BinaryPrimitives.ReadUInt16LittleEndian(versionOf.AsSpan(2 * index)) & 0x7fff : 0;
            imported.Add(new ImportedSymbol(name, needed.GetValueOrDefault(version, "")));
        }
        return imported;
    }

    /// <summary>
    /// Every version the file requires of a library (.gnu.version_r), as the loader checks them at start, whether or not
    /// a symbol is bound to it.
    /// </summary>
    public static IReadOnlyList<string> RequiredVersions(string path) =>
        SectionData(path, ".dynstr") is { } strings ? [.. VersionRequirements(path, strings).Values] : [];

    /// <summary>The version names of .gnu.version_r by the index .gnu.version uses for each.</summary>
    private static Dictionary<int, string> VersionRequirements(string path, byte[] strings)
    {
        var needed = new Dictionary<int, string>();
        var requirements = SectionData(path, ".gnu.version_r") ?? [];
        for (var at = 0; at + 16 <= requirements.Length;)
        {
            // Elf64_Verneed: vn_version, vn_cnt, vn_file, vn_aux, vn_next; then vn_cnt Elf64_Vernaux.
            var count = BinaryPrimitives.ReadUInt16LittleEndian(requirements.AsSpan(at + 2));
            var aux = at + (int)BinaryPrimitives.ReadUInt32LittleEndian(requirements.AsSpan(at + 8));
            for (var i = 0; i < count && aux + 16 <= requirements.Length; i++)
            {
                // Elf64_Vernaux: vna_hash, vna_flags, vna_other (the index .gnu.version uses), vna_name, vna_next.
                var index = BinaryPrimitives.ReadUInt16LittleEndian(requirements.AsSpan(aux + 6));
                needed[index] = Text(strings, BinaryPrimitives.ReadUInt32LittleEndian(requirements.AsSpan(aux + 8)));
                aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(requirements.AsSpan(aux + 12));
            }
            var next = (int)BinaryPrimitives.ReadUInt32LittleEndian(requirements.AsSpan(at + 12));
            if (next == 0)
                break;
            at += next;
        }
        return needed;
    }

    /// <summary>The libraries the dynamic section names as NEEDED, in order.</summary>
    public static IReadOnlyList<string> NeededLibraries(string path)
    {
        if (SectionData(path, ".dynamic") is not { } dynamic || SectionData(path, ".dynstr") is not { } strings)
            return [];
        const long Needed = 1;
        var libraries = new List<string>();
        for (var at = 0; at + 16 <= dynamic.Length; at += 16)
        {
            var tag = BinaryPrimitives.ReadInt64LittleEndian(dynamic.AsSpan(at));
            if (tag == 0)
                break;
            if (tag == Needed)
                libraries.Add(Text(strings, (uint)BinaryPrimitives.ReadUInt64LittleEndian(dynamic.AsSpan(at + 8))));
        }
        return libraries;
    }

    private static string Text(byte[] strings, uint offset)
    {
        var rest = strings.AsSpan((int)offset);
        var end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
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
