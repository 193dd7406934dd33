using TracerBuild;
using TracerBuild.Engine;

partial class Build
{
    Target Preflight => _ => _
        .Description("Installs missing prerequisites: clang, llvm, libbpf, bpftool, the arches' libraries")
        .Executes(() =>
        {
            // The tests build and package every arch, so they need every arch's libraries.
            Prerequisites.Ensure(IsScheduled(Test) ? TracerBuild.Arch.All : Arches, EnvironmentVariables);
        });
}
