
namespace TracerBuild.Vmlinux;

/// <summary>vmlinux.h generated from the running kernel's BTF with bpftool: unpinned, and only for the host's own arch.</summary>
public static class HostBtf
{
    public const string KernelBtf = "/sys/kernel/btf/vmlinux";

    public static byte[] Dump()
    {
        if (!File.Exists(KernelBtf))
            throw new BuildFailedException($"This kernel has no {KernelBtf} (it needs CONFIG_DEBUG_INFO_BTF=y); use the pinned headers instead of --vmlinux-source host.");
        var dump = Programs.Run("bpftool", ["btf", "dump", "file", KernelBtf, "format", "c"], echo: false);
        return System.Text.Encoding.UTF8.GetBytes(dump.StandardOutput);
    }
}
