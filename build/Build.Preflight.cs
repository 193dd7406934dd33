using TracerBuild;
using TracerBuild.Engine;

partial class Build
{
    Target Preflight => _ => _
        .Description("Installs missing prerequisites (clang, llvm, libbpf, bpftool, the arches' libraries; shellcheck for Test) and checks .NET packs")
        .Executes(() =>
        {
            // The tests build and package every arch, so they need every arch's libraries.
            Prerequisites.Ensure(IsScheduled(Test) ? TracerBuild.Arch.All : Arches, EnvironmentVariables, IsScheduled(Test) ? Prerequisites.TestTools : []);
            // Only a publish needs the runtime packs; checking here stops it before anything compiles.
            if (SelfContained && IsScheduled(Publish))
            {
                foreach (var arch in Arches)
                    DotnetPacks.EnsureRestorable(TracerProject, PublishSettings(arch));
            }
        });
}
