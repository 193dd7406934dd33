using System.Buffers.Binary;

namespace TracerBuild.KernelBtf;

/// <summary>
/// The formats a bzImage payload comes in on the kernels of the matrix, told apart by their magic: lz4 (Debian's 5.10 and
/// 6.1) and zstd (6.12), each decompressed by the command-line tool of its name (Preflight installs both). The kernel's build appends
/// the decompressed size, 4 bytes little-endian, to such a payload: the tools reject it as trailing garbage, so it is cut
/// off, and checked against what comes out.
/// </summary>
public sealed record PayloadCompression(string Name, byte[] Magic, Func<string, string, string[]> Arguments)
{
    public static IReadOnlyList<PayloadCompression> All { get; } =
    [
        // The legacy frame, which the kernel's lz4 -l writes.
        new("lz4", [0x02, 0x21, 0x4c, 0x18], (input, output) => ["-d", "-q", "-f", input, output]),
        new("zstd", [0x28, 0xb5, 0x2f, 0xfd], (input, output) => ["-d", "-q", "-f", input, "-o", output]),
    ];

    /// <summary>Decompresses the payload through files in <paramref name="work"/>; returns the decompressed file.</summary>
    public static AbsolutePath Decompress(ReadOnlySpan<byte> payload, AbsolutePath work, string source)
    {
        var start = payload[..Math.Min(4, payload.Length)].ToArray();
        var known = string.Join(", ", All.Select(f => $"{f.Name} ({Convert.ToHexStringLower(f.Magic)})"));
        var format = All.FirstOrDefault(f => start.AsSpan().SequenceEqual(f.Magic))
            ?? throw new BuildFailedException($"{source}: its payload starts with {Convert.ToHexStringLower(start)}, which is none of {known}.");
        if (payload.Length < format.Magic.Length + 4)
            throw new BuildFailedException($"{source}: its {format.Name} payload is {payload.Length} bytes, too short to hold anything.");
        var compressed = work / $"payload.{format.Name}";
        var decompressed = work / "payload";
        File.WriteAllBytes(compressed, payload[..^4]);
        Programs.Run(format.Name, format.Arguments(compressed, decompressed), echo: false);
        var expected = BinaryPrimitives.ReadUInt32LittleEndian(payload[^4..]);
        return decompressed.FileLength() == expected
            ? decompressed
            : throw new BuildFailedException($"{source}: its {format.Name} payload decompressed to {decompressed.FileLength()} bytes, where the image says {expected}.");
    }
}
