namespace TracerBuild;

/// <summary>Reads what an ELF header says about the machine a file was built for.</summary>
public static class Elf
{
    public const ushort MachineBpf = 247;

    /// <summary>The header's e_machine, or null when the file is not a 64-bit little-endian ELF file.</summary>
    public static ushort? Machine(string path)
    {
        Span<byte> header = stackalloc byte[20];
        using (var stream = File.OpenRead(path))
        {
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
                return null;
        }
        var isElf64LittleEndian = header[..4].SequenceEqual("\u007fELF"u8) && header[4] == 2 && header[5] == 1;
        return isElf64LittleEndian ? BitConverter.ToUInt16(header[18..20]) : null;
    }

    public static bool IsElf(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("\u007fELF"u8);
    }
}
