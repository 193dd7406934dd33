namespace TracerBuild.KernelBtf;

/// <summary>
/// A kernel's BTF cut down to what one BPF object's CO-RE relocations read (bpftool gen min_core_btf): about 1.5 KB of the
/// kernel's 3 to 5 MB, which libbpf takes as btf_custom_path on a kernel without /sys/kernel/btf/vmlinux.
/// </summary>
public static class MinCoreBtf
{
    /// <summary>Written in <paramref name="work"/> and renamed into place (same file system), so no half file is ever seen.</summary>
    public static void Write(AbsolutePath fullBtf, AbsolutePath bpfObject, AbsolutePath output, AbsolutePath work)
    {
        var made = work / output.Name;
        Programs.Run("bpftool", ["gen", "min_core_btf", fullBtf, made, bpfObject], echo: false);
        output.Parent.CreateDirectory();
        File.Move(made, output, overwrite: true);
    }
}
