using System.Buffers.Binary;

namespace TracerBuild.KernelBtf;

/// <summary>
/// Finds a kernel's BTF in a raw image (an arm64 <c>Image</c> is no ELF file, so it has no section table to ask) by its
/// header (the kernel's include/uapi/linux/btf.h): magic 0xEB9F, version 1, flags 0, hdr_len 24, then the offsets and
/// lengths of the type and string sections, which give the blob's exact length.
/// </summary>
public static class BtfBlob
{
    public const int HeaderLength = 24;

    private static ReadOnlySpan<byte> Magic => [0x9f, 0xeb, 0x01, 0x00];

    /// <summary>
    /// The one BTF blob in the image. The magic is four bytes that machine code may hold too (arm64 5.10 has it twice):
    /// only a header whose sections lie inside the image, with a string section that starts and ends with a NUL, counts.
    /// </summary>
    public static byte[] Carve(ReadOnlySpan<byte> image, string source)
    {
        var found = new List<(int Offset, int Length)>();
        (int Offset, long Length)? truncated = null;
        for (var at = image.IndexOf(Magic); at >= 0; at = Next(image, at))
        {
            if (Length(image[at..]) is not { } length)
                continue;
            if (at + length > image.Length)
                truncated ??= (at, length);
            else if (HasStrings(image.Slice(at, (int)length)))
                found.Add((at, (int)length));
        }
        return found switch
        {
            [var one] => image.Slice(one.Offset, one.Length).ToArray(),
            [] when truncated is { } cut => throw new BuildFailedException(
                $"{source}: the BTF header at offset {cut.Offset} describes {cut.Length} bytes, but only {image.Length - cut.Offset} follow (the image is truncated)."),
            [] => throw new BuildFailedException(
                $"{source}: no BTF header in it; the kernel was built without CONFIG_DEBUG_INFO_BTF, or its image is compressed in a way this build does not unpack."),
            _ => throw new BuildFailedException(
                $"{source}: {found.Count} BTF headers, at offsets {string.Join(", ", found.Select(f => f.Offset))}; which one is the kernel's is unclear."),
        };
    }

    /// <summary>The blob's length from a header of the kernel's layout; null when the bytes are not such a header.</summary>
    public static long? Length(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderLength || !header.StartsWith(Magic) || U32(header, 4) != HeaderLength)
            return null;
        var (typeOffset, typeLength, stringOffset, stringLength) = (U32(header, 8), U32(header, 12), U32(header, 16), U32(header, 20));
        if (stringLength == 0 || typeOffset + typeLength > stringOffset && stringOffset + stringLength > typeOffset)
            return null;
        return HeaderLength + Math.Max(typeOffset + typeLength, stringOffset + stringLength);
    }

    private static bool HasStrings(ReadOnlySpan<byte> blob)
    {
        var stringOffset = HeaderLength + (int)U32(blob, 16);
        return blob[stringOffset] == 0 && blob[stringOffset + (int)U32(blob, 20) - 1] == 0;
    }

    private static int Next(ReadOnlySpan<byte> image, int at) => image[(at + 1)..].IndexOf(Magic) is >= 0 and var next ? at + 1 + next : -1;

    private static long U32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
}
