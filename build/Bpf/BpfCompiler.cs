using TracerBuild.Preflight;

namespace TracerBuild.Bpf;

/// <summary>
/// clang's command lines for an arch's BPF object, one per capability's source (bpf/*.bpf.c), the link of their parts
/// into the one object the tracer embeds (bpftool gen object), and the one-line failure when either step fails.
/// </summary>
public static class BpfCompiler
{
    /// <summary>Each source's clang command line; each ends with <c>-o</c> and the part it writes beside the object.</summary>
    /// <param name="sources">the folder of the *.bpf.c files and tracer.h</param>
    /// <param name="root">the checkout, whose path the object must not carry</param>
    public static IReadOnlyList<IReadOnlyList<string>> Arguments(Arch arch, string vmlinuxIncludeDirectory, string sources, string root, string output) =>
    [
        .. Sources(sources).Select(source => (IReadOnlyList<string>)
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
            "-c", source,
            "-o", Path.Combine(Path.GetDirectoryName(output)!, "parts", Path.GetFileName(source).Replace(".bpf.c", ".o")),
        ]),
    ];

    /// <summary>
    /// tracer.bpf.c, which defines the shared maps and settings, first: bpftool 7.1's linker gives every map of an
    /// object whose extern declarations come before the definition offset 0, and libbpf then refuses the object.
    /// </summary>
    private static IEnumerable<string> Sources(string sources) =>
        Directory.EnumerateFiles(sources, "*.bpf.c").OrderBy(source => Path.GetFileName(source) != "tracer.bpf.c").ThenBy(source => source, StringComparer.Ordinal);

    public static void Compile(Arch arch, IReadOnlyList<IReadOnlyList<string>> arguments, string output)
    {
        foreach (var source in arguments)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(source[^1])!);
            var clang = Programs.TryRun("clang", source, echo: true);
            if (clang.ExitCode != 0)
            {
                var hint = CompilerHints.For(clang.Output);
                throw new BuildFailedException($"clang could not compile the BPF code for {arch.Name}{(hint is null ? " (see its errors above)" : $": {hint}")}.");
            }
        }
        // libbpf's static linker: the sources share the maps and settings tracer.bpf.c defines (extern in common.bpf.h).
        var link = Programs.TryRun("bpftool", ["gen", "object", output, .. arguments.Select(source => source[^1])], echo: true);
        if (link.ExitCode != 0)
            throw new BuildFailedException($"bpftool could not link the BPF parts for {arch.Name} (see its errors above).");
    }
}
