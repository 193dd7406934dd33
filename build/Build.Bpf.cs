using TracerBuild;

partial class Build
{
    Target CompileBpf => _ => _
        .DependsOn(Preflight, Vmlinux)
        .Description("Compiles bpf/tracer.bpf.c with clang for each arch's __TARGET_ARCH_ and vmlinux.h")
        .Inputs(() => [Paths.BpfSources, LibbpfHeaders, .. Arches.Select(Paths.VmlinuxInclude)])
        .InputValues(() => [ClangVersion(), .. Arches.SelectMany(ClangArguments)])
        .Outputs(() => Arches.Select(Paths.BpfObject))
        .Executes(() =>
        {
            ForEachArch(arch =>
            {
                Directory.CreateDirectory(Paths.BpfObject(arch).Parent);
                var clang = Programs.TryRun("clang", ClangArguments(arch), echo: true);
                if (clang.ExitCode != 0)
                {
                    var hint = CompilerHints.For(clang.Output);
                    throw new BuildFailedException($"clang could not compile the BPF code for {arch.Name}{(hint is null ? " (see its errors above)" : $": {hint}")}.");
                }
                ArchCheck.VerifyBpfObject(Paths.BpfObject(arch));
            });
        });

    /// <summary>bpf_helpers.h and friends, from libbpf-dev: an upgrade changes what the BPF code compiles to.</summary>
    static readonly AbsolutePath LibbpfHeaders = AbsolutePath.Of("/usr/include/bpf");

    IReadOnlyList<string> ClangArguments(Arch arch) =>
    [
        "-g", "-O2", "-target", "bpf",
        $"-D__TARGET_ARCH_{arch.ClangTargetArch}",
        "-I", Paths.VmlinuxInclude(arch),
        "-I", Paths.BpfSources,
        // The 6.19 headers declare a few empty structs; harmless for BPF.
        "-Wno-missing-declarations",
        // Byte-stable objects: no compiler banner, no checkout path in the debug info.
        "-fno-ident",
        $"-fdebug-prefix-map={RootDirectory}=.",
        "-c", Paths.BpfProgram,
        "-o", Paths.BpfObject(arch),
    ];

    /// <summary>
    /// A new clang may compile differently, so its identity is an input of CompileBpf: the binary clang resolves to,
    /// with its size and mtime, changes with every upgrade and costs nothing, unlike running `clang --version` (0.1 s).
    /// </summary>
    static string ClangVersion()
    {
        if (Which("clang") is not { } onPath)
            return "clang not installed";
        var binary = new FileInfo(File.ResolveLinkTarget(onPath, returnFinalTarget: true)?.FullName ?? onPath);
        return $"clang {binary.FullName} {binary.Length} {binary.LastWriteTimeUtc:O}";
    }
}
