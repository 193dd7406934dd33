using System.Buffers.Binary;
using System.Text;

namespace TracerBuild;

/// <summary>Reads what an ELF header says: the machine a file was built for, and its section names.</summary>
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
    public static IReadOnlyList<string> SectionNames(string path)
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

        return Enumerable.Range(0, count)
            .Select(i => (int)BinaryPrimitives.ReadUInt32LittleEndian(sections.AsSpan(i * entrySize)))
            .Select(offset => Encoding.ASCII.GetString(names.AsSpan(offset, names.AsSpan(offset).IndexOf((byte)0))))
            .ToList();
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
