using TracerBuild.Preflight;

namespace TracerBuild.Bpf;

/// <summary>clang's command line for an arch's BPF object, and the one-line failure when it does not compile.</summary>
public static class BpfCompiler
{
    /// <param name="sources">the folder of tracer.bpf.c and tracer.h</param>
    /// <param name="root">the checkout, whose path the object must not carry</param>
    public static IReadOnlyList<string> Arguments(Arch arch, string vmlinuxIncludeDirectory, string sources, string root, string output) =>
    [
        "-g", "-O2", "-target", "bpf",
        $"-D__TARGET_ARCH_{arch.ClangTargetArch}",
        "-I", vmlinuxIncludeDirectory,
        "-I", sources,
        // The 6.19 headers declare a few empty structs; harmless for BPF.
        "-Wno-missing-declarations",
        // Byte-stable objects: no compiler banner, no checkout path in the debug info.
        "-fno-ident",
        $"-fdebug-prefix-map={root}=.",
        "-c", Path.Combine(sources, "tracer.bpf.c"),
        "-o", output,
    ];

    public static void Compile(Arch arch, IReadOnlyList<string> arguments)
    {
        var clang = Programs.TryRun("clang", arguments, echo: true);
        if (clang.ExitCode != 0)
        {
            var hint = CompilerHints.For(clang.Output);
            throw new BuildFailedException($"clang could not compile the BPF code for {arch.Name}{(hint is null ? " (see its errors above)" : $": {hint}")}.");
        }
    }
}
