using TracerBuild.Bpf;
using TracerBuild.Package;
using TracerBuild;

partial class Build
{
    Target CompileBpf => _ => _
        .DependsOn(Preflight, Vmlinux)
        .Description("Compiles bpf/*.bpf.c with clang and links them (bpftool) for every arch's __TARGET_ARCH_ and vmlinux.h; generates src/Tracer/Bpf/Events.g.cs from the objects")
        .Inputs(() => [Paths.BpfSources, LibbpfHeaders, .. BpfArches.Select(Paths.VmlinuxInclude)])
        // clang compiles the parts, bpftool links them: a new version of either may change the object.
        .InputValues(() => [InstalledProgram("clang"), InstalledProgram("bpftool"), .. BpfArches.SelectMany(a => ClangArguments(a).SelectMany(source => source))])
        // Events.g.cs is an output, so an edit by hand makes CompileBpf run again and undo it.
        .Outputs(() => [.. BpfArches.Select(Paths.BpfObject), Paths.EventTypes])
        .Executes(() =>
        {
            ForEachArch(BpfArches, arch =>
            {
                Paths.BpfObject(arch).Parent.CreateDirectory();
                BpfCompiler.Compile(arch, ClangArguments(arch), Paths.BpfObject(arch));
                ArchCheck.VerifyBpfObject(Paths.BpfObject(arch));
                // Refused before anything uses it: the object is removed, so the next run compiles it again.
                try
                {
                    BtfFreeCheck.Require(Paths.BpfObject(arch), arch.Name);
                }
                catch (BuildFailedException)
                {
                    Paths.BpfObject(arch).DeleteFile();
                    throw;
                }
            });
            var generated = EventTypesFile.Generate(Paths.BpfHeader, [.. BpfArches.Select(a => (a.Name, (string)Paths.BpfObject(a)))]);
            if (EventTypesFile.Update(Paths.EventTypes, generated, ci: EnvironmentVariables.GetValueOrDefault("CI") == "true") is { } change)
                Log.Line(change);
        });

    /// <summary>bpf_helpers.h and friends, from libbpf-dev: an upgrade changes what the BPF code compiles to.</summary>
    static readonly AbsolutePath LibbpfHeaders = AbsolutePath.Of("/usr/include/bpf");

    IReadOnlyList<IReadOnlyList<string>> ClangArguments(Arch arch) =>
        BpfCompiler.Arguments(arch, Paths.VmlinuxInclude(arch), Paths.BpfSources, RootDirectory, Paths.BpfObject(arch));

    /// <summary>
    /// A new clang may compile differently (a new bpftool minimize differently), so a tool's identity is an input of the
    /// targets it works for: the binary the name resolves to, with its size and mtime, changes with every upgrade and
    /// costs nothing, unlike running `clang --version` (0.1 s).
    /// </summary>
    static string InstalledProgram(string name)
    {
        if (Which(name) is not { } onPath)
            return $"{name} not installed";
        var binary = new FileInfo(File.ResolveLinkTarget(onPath, returnFinalTarget: true)?.FullName ?? onPath);
        return $"{name} {binary.FullName} {binary.Length} {binary.LastWriteTimeUtc:O}";
    }
}
