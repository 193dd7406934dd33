using System.IO.Compression;

namespace TracerBuild.KernelBtf;

/// <summary>
/// A kernel's BTF cut down to what one BPF object's CO-RE relocations read (bpftool gen min_core_btf): about 1.5 KB of the
/// kernel's 3 to 5 MB, which libbpf takes as btf_custom_path on a kernel without /sys/kernel/btf/vmlinux. Beside it, the
/// same gzipped (<see cref="Compressed"/>), as the tracer carries it.
/// </summary>
public static class MinCoreBtf
{
    public static AbsolutePath Compressed(AbsolutePath output) => output.Parent / (output.Name + ".gz");

    /// <summary>Written in <paramref name="work"/> and moved into place, so no half file is ever seen.</summary>
    public static void Write(AbsolutePath fullBtf, AbsolutePath bpfObject, AbsolutePath output, AbsolutePath work)
    {
        var made = work / output.Name;
        Programs.Run("bpftool", ["gen", "min_core_btf", fullBtf, made, bpfObject], echo: false);
        var compressed = Compressed(made);
        using (var source = File.OpenRead(made))
        using (var target = File.Create(compressed))
        using (var gzip = new GZipStream(target, CompressionLevel.SmallestSize))
            source.CopyTo(gzip);
        output.Parent.CreateDirectory();
        File.Move(compressed, Compressed(output), overwrite: true);
        File.Move(made, output, overwrite: true);
    }
}
