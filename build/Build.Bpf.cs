using TracerBuild;
using TracerBuild.Engine;

partial class Build
{
    Target CompileBpf => _ => _
        .DependsOn(Preflight, Vmlinux)
        .Description("Compiles bpf/tracer.bpf.c with clang for each arch's __TARGET_ARCH_ and vmlinux.h")
        .Executes(() =>
        {
            foreach (var arch in Arches)
            {
                var output = BpfObject(arch);
                Directory.CreateDirectory(Path.GetDirectoryName(output)!);
                ProcessRunner.Run("clang",
                [
                    "-g", "-O2", "-target", "bpf",
                    $"-D__TARGET_ARCH_{arch.ClangTargetArch}",
                    "-I", VmlinuxIncludeDirectory(arch),
                    "-I", Path.Combine(RootDirectory, "bpf"),
                    // The 6.19 headers declare a few empty structs; harmless for BPF.
                    "-Wno-missing-declarations",
                    // Byte-stable objects: no compiler banner, no checkout path in the debug info.
                    "-fno-ident",
                    $"-fdebug-prefix-map={RootDirectory}=.",
                    "-c", Path.Combine(RootDirectory, "bpf", "tracer.bpf.c"),
                    "-o", output,
                ]);
                ArchCheck.VerifyBpfObject(output);
            }
        });

    string BpfObject(Arch arch) => Path.Combine(ObjDirectory, "bpf", arch.Name, "tracer.bpf.o");
}
