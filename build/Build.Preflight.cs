using TracerBuild;
using TracerBuild.Engine;

partial class Build
{
    Target Preflight => _ => _
        .Description("Installs missing prerequisites: clang, llvm, libbpf, bpftool, the arches' libraries")
        .Executes(() =>
        {
            // The tests build and package every arch, so they need every arch's libraries, and qemu to load the foreign ones.
            var arches = IsScheduled(Test) ? TracerBuild.Arch.All : Arches;
            Prerequisites.Ensure(arches, IsScheduled(Test) ? Prerequisites.TestPackagesFor(arches) : [], EnvironmentVariables);
        });
}
