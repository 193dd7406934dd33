using TracerBuild;
using TracerBuild.Bpf;
using TracerBuild.Engine;

partial class Build
{
    Target CompileBpf => _ => _
        .DependsOn(Preflight, Vmlinux)
        .Description("Compiles bpf/tracer.bpf.c with clang for each arch's __TARGET_ARCH_ and vmlinux.h; generates src/Tracer/Events.g.cs from its BTF")
        .Inputs(() => [BpfSources, LibbpfHeaders, .. Arches.Select(VmlinuxIncludeDirectory)])
        .InputValues(() => [ClangVersion(), .. Arches.SelectMany(ClangArguments)])
        // Events.g.cs is an output, so an edit by hand makes CompileBpf run again and undo it.
        .Outputs(() => [.. Arches.Select(BpfObject), EventTypesPath])
        .Executes(() =>
        {
            ForEachArch(arch =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(BpfObject(arch))!);
                BpfCompiler.Compile(arch, ClangArguments(arch));
                ArchCheck.VerifyBpfObject(BpfObject(arch));
            });
            var generated = EventTypesFile.Generate(Path.Combine(BpfSources, "tracer.h"), [.. Arches.Select(a => (a.Name, BpfObject(a)))]);
            if (EventTypesFile.Update(EventTypesPath, generated, ci: EnvironmentVariables.GetValueOrDefault("CI") == "true") is { } change)
                Log.Line(change);
        });

    string BpfSources => Path.Combine(RootDirectory, "bpf");

    /// <summary>bpf_helpers.h and friends, from libbpf-dev: an upgrade changes what the BPF code compiles to.</summary>
    const string LibbpfHeaders = "/usr/include/bpf";

    IReadOnlyList<string> ClangArguments(Arch arch) =>
        BpfCompiler.Arguments(arch, VmlinuxIncludeDirectory(arch), BpfSources, RootDirectory, BpfObject(arch));

    string EventTypesPath => Path.Combine(RootDirectory, EventTypesFile.RelativePath);

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
