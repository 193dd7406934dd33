using System.Buffers.Binary;

namespace TracerBuild.KernelBtf;

/// <summary>
/// x86's bzImage, as the boot protocol lays it out (the kernel's Documentation/arch/x86/boot.rst): a real-mode setup of
/// setup_sects + 1 sectors, then the protected-mode code, in which payload_offset and payload_length (protocol 2.08 and
/// later) locate the compressed vmlinux, an ELF file.
/// </summary>
public static class BzImage
{
    private const int SetupSectors = 0x1f1;
    private const int HeaderMagic = 0x202;
    private const int ProtocolVersion = 0x206;
    private const int PayloadOffset = 0x248;
    private const int PayloadLength = 0x24c;
    private const ushort PayloadProtocol = 0x208;

    public static bool Is(ReadOnlySpan<byte> image) => image.Length > PayloadLength + 4 && image[HeaderMagic..].StartsWith("HdrS"u8);

    /// <summary>The compressed vmlinux, as the kernel's build wrote it (with the size it appends after most formats).</summary>
    public static ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> image, string source)
    {
        if (BinaryPrimitives.ReadUInt16LittleEndian(image[ProtocolVersion..]) is var version and < PayloadProtocol)
            throw new BuildFailedException($"{source}: boot protocol {version >> 8}.{version & 0xff} has no payload fields (2.08 and later have them).");
        // 0 stands for 4 sectors, as in kernels older than the field itself.
        var setupSectors = image[SetupSectors] is 0 ? 4 : image[SetupSectors];
        var start = (setupSectors + 1) * 512L + BinaryPrimitives.ReadUInt32LittleEndian(image[PayloadOffset..]);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(image[PayloadLength..]);
        return start + length <= image.Length
            ? image.Slice((int)start, (int)length)
            : throw new BuildFailedException($"{source}: its payload ends at byte {start + length}, past the end of the image ({image.Length} bytes).");
    }
}
