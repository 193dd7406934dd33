using System.Buffers.Binary;
using System.Text;

namespace TracerBuild.Tests;

/// <summary>Kernel images and packages laid out as Debian's are, small enough to make in a test, around a BTF of one type.</summary>
public static class SyntheticKernel
{
    /// <summary>A complete BTF: its header, one type (<c>int</c>, 4 bytes, signed) and its string section.</summary>
    public static byte[] Btf()
    {
        var strings = "\0int\0"u8;
        var types = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(types, 1); // name_off
        BinaryPrimitives.WriteUInt32LittleEndian(types.AsSpan(4), 1u << 24); // kind INT
        BinaryPrimitives.WriteUInt32LittleEndian(types.AsSpan(8), 4); // size
        BinaryPrimitives.WriteUInt32LittleEndian(types.AsSpan(12), (1u << 24) | 32); // signed, 32 bits
        var btf = new byte[24 + types.Length + strings.Length];
        Header(btf, typeLength: types.Length, stringLength: strings.Length);
        types.CopyTo(btf.AsSpan(24));
        strings.CopyTo(btf.AsSpan(24 + types.Length));
        return btf;
    }

    /// <summary>A BTF header at the start of <paramref name="into"/>: version 1, flags 0, hdr_len 24, types first.</summary>
    public static void Header(Span<byte> into, int typeLength, int stringLength, int headerLength = 24)
    {
        into[0] = 0x9f;
        into[1] = 0xeb;
        into[2] = 1;
        into[3] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(into[4..], (uint)headerLength);
        BinaryPrimitives.WriteUInt32LittleEndian(into[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(into[12..], (uint)typeLength);
        BinaryPrimitives.WriteUInt32LittleEndian(into[16..], (uint)typeLength);
        BinaryPrimitives.WriteUInt32LittleEndian(into[20..], (uint)stringLength);
    }

    /// <summary>Random bytes (a fixed seed) with the blob at <paramref name="offset"/>: an arm64 Image, as far as BTF goes.</summary>
    public static byte[] RawImage(byte[] blob, int offset, int length, int seed = 1)
    {
        var image = new byte[length];
        new Random(seed).NextBytes(image);
        // Random bytes that spell the magic by chance would be a second candidate; the tests place their own.
        image.AsSpan().Replace((byte)0x9f, (byte)0);
        blob.CopyTo(image, offset);
        return image;
    }

    /// <summary>An ELF file whose .BTF section holds the blob, as an x86 vmlinux has (llvm-objcopy, a prerequisite of the build).</summary>
    public static byte[] ElfWith(byte[] blob, string work)
    {
        var raw = Path.Combine(work, "btf.bin");
        var elf = Path.Combine(work, "vmlinux");
        File.WriteAllBytes(raw, blob);
        Programs.Run("llvm-objcopy", ["-I", "binary", "-O", "elf64-x86-64", "--rename-section", ".data=.BTF", raw, elf], echo: false);
        return File.ReadAllBytes(elf);
    }

    /// <summary>Compresses as the kernel's build does (lz4 -l, the legacy frame; zstd) and appends the size, 4 bytes little-endian.</summary>
    public static byte[] Payload(string format, byte[] vmlinux, string work, uint? size = null)
    {
        var input = Path.Combine(work, "payload.in");
        var output = Path.Combine(work, "payload.out");
        File.WriteAllBytes(input, vmlinux);
        Programs.Run(format, format == "lz4" ? ["-l", "-q", "-f", input, output] : ["-q", "-f", input, "-o", output], echo: false);
        var compressed = File.ReadAllBytes(output);
        var payload = new byte[compressed.Length + 4];
        compressed.CopyTo(payload, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(compressed.Length), size ?? (uint)vmlinux.Length);
        return payload;
    }

    /// <summary>A bzImage of boot protocol 2.15: one setup sector after the boot sector, the payload 64 bytes into the rest.</summary>
    public static byte[] BzImage(byte[] payload)
    {
        const int setupSectors = 1;
        const int payloadOffset = 64;
        var start = (setupSectors + 1) * 512 + payloadOffset;
        var image = new byte[start + payload.Length];
        image[0x1f1] = setupSectors;
        "HdrS"u8.CopyTo(image.AsSpan(0x202));
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x206), 0x020f);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x248), payloadOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x24c), (uint)payload.Length);
        payload.CopyTo(image, start);
        return image;
    }

    /// <summary>A kernel image package (dpkg-deb --build) installing the image as boot/vmlinuz-&lt;release&gt;.</summary>
    public static string Deb(string work, string package, string version, string release, byte[] image)
    {
        var root = Path.Combine(work, $"{package}_{version}");
        Directory.CreateDirectory(Path.Combine(root, "DEBIAN"));
        Directory.CreateDirectory(Path.Combine(root, "boot"));
        File.WriteAllText(Path.Combine(root, "DEBIAN", "control"), new StringBuilder()
            .Append($"Package: {package}\nVersion: {version}\nArchitecture: arm64\n")
            .Append("Maintainer: Tests <tests@example.org>\nDescription: a synthetic kernel\n").ToString());
        File.WriteAllBytes(Path.Combine(root, "boot", $"vmlinuz-{release}"), image);
        var deb = Path.Combine(work, $"{package}_{version}_arm64.deb");
        Programs.Run("dpkg-deb", ["--build", "--root-owner-group", root, deb], echo: false);
        return deb;
    }
}
