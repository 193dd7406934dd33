using TracerBuild;
using TracerBuild.Bpf;
using TracerBuild.Engine;

partial class Build
{
    Target CompileBpf => _ => _
        .DependsOn(Preflight, Vmlinux)
        .Description("Compiles bpf/tracer.bpf.c with clang for each arch's __TARGET_ARCH_ and vmlinux.h")
        .Inputs(() => [BpfSources, LibbpfHeaders, .. Arches.Select(VmlinuxIncludeDirectory)])
        .InputValues(() => [ClangVersion(), .. Arches.SelectMany(ClangArguments)])
        .Outputs(() => Arches.Select(BpfObject))
        .Executes(() =>
        {
            ForEachArch(arch =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(BpfObject(arch))!);
                BpfCompiler.Compile(arch, ClangArguments(arch));
                ArchCheck.VerifyBpfObject(BpfObject(arch));
            });
        });

    string BpfSources => Path.Combine(RootDirectory, "bpf");

    /// <summary>bpf_helpers.h and friends, from libbpf-dev: an upgrade changes what the BPF code compiles to.</summary>
    const string LibbpfHeaders = "/usr/include/bpf";

    IReadOnlyList<string> ClangArguments(Arch arch) =>
        BpfCompiler.Arguments(arch, VmlinuxIncludeDirectory(arch), BpfSources, RootDirectory, BpfObject(arch));

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

    string BpfObject(Arch arch) => Path.Combine(ObjDirectory, "bpf", arch.Name, "tracer.bpf.o");
}
