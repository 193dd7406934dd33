using TracerBuild.Package;

namespace TracerBuild.KernelBtf;

/// <summary>The full BTF of a kernel image (CONFIG_DEBUG_INFO_BTF), as /sys/kernel/btf/vmlinux would serve it on that kernel.</summary>
public static class KernelImage
{
    /// <summary>
    /// An x86 bzImage holds a compressed vmlinux, an ELF file whose .BTF section it is; an arm64 Image is the kernel's
    /// memory image itself, uncompressed in Debian's packages, from which the blob is carved by its header.
    /// </summary>
    public static byte[] Btf(AbsolutePath image, AbsolutePath work)
    {
        var bytes = image.ReadAllBytes();
        var source = image.Name;
        if (!BzImage.Is(bytes))
            return BtfBlob.Carve(bytes, source);
        var vmlinux = PayloadCompression.Decompress(BzImage.Payload(bytes, source), work, source);
        return Elf.SectionData(vmlinux, ".BTF")
            ?? throw new BuildFailedException($"{source}: its payload is no ELF file with a .BTF section; the kernel was built without CONFIG_DEBUG_INFO_BTF.");
    }
}
