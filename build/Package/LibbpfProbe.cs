namespace TracerBuild.Package;

/// <summary>
/// Proves an arch's libz, libelf and libbpf load together on that arch: build/Package/libbpf-probe.c, compiled with
/// Debian's cross compiler and run under qemu-user, dlopens them and prints libbpf's version.
/// </summary>
public sealed class LibbpfProbe(Arch arch, string root)
{
    public static IReadOnlyList<string> Packages(Arch arch) => [.. arch.CrossPackages, "qemu-user-static"];

    private string Qemu => $"/usr/bin/qemu-{arch.Machine}-static";

    private string Compiler => $"/usr/bin/{arch.CrossCompiler}";

    public bool IsAvailable => File.Exists(Qemu) && File.Exists(Compiler) && Directory.Exists(arch.CrossSysroot);

    public string Unavailable => $"the libbpf probe needs {string.Join(" ", Packages(arch))} (missing {(File.Exists(Compiler) ? Qemu : Compiler)})";

    /// <summary>
    /// Loads libz.so.1, libelf.so.1 and libbpf.so.1 from a folder, dependencies first as the tracer does;
    /// returns what the probe printed, such as <c>libbpf v1.1</c>, and throws when they do not load.
    /// </summary>
    public string Run(string libraryDirectory)
    {
        var probe = Path.Combine(root, "artifacts", "obj", "probe", arch.Name, "libbpf-probe");
        Directory.CreateDirectory(Path.GetDirectoryName(probe)!);
        Programs.Run(Compiler, ["-O2", "-Wall", "-Werror", "-o", probe, Path.Combine(root, "build", "Package", "libbpf-probe.c"), "-ldl"], echo: false);

        var result = Programs.TryRun(Qemu, ["-L", arch.CrossSysroot, probe, .. Native.NativeLibraries.SharedFiles.Select(l => Path.Combine(libraryDirectory, l))]);
        return result.ExitCode == 0
            ? result.Output.Trim()
            : throw new BuildFailedException($"The {arch.Name} libraries do not load under qemu: {result.Output.Trim()}");
    }
}
