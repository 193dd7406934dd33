using TracerBuild;
using TracerBuild.Engine;

partial class Build
{
    Target Restore => _ => _
        .DependsOn(Preflight)
        .Description("Restores the tracer for each arch; stops here when the feed lacks a self-contained arch's runtime packs")
        .Executes(() =>
        {
            foreach (var arch in Arches)
                TracerRestore.Run(TracerProject, PublishSettings(arch));
        });

    Target Publish => _ => _
        .DependsOn(Restore, CompileBpf)
        .Description("Publishes the tracer for each arch, its BPF object embedded")
        .Executes(() =>
        {
            foreach (var arch in Arches)
            {
                var output = PublishDirectory(arch);
                if (Directory.Exists(output))
                    Directory.Delete(output, recursive: true);
                ProcessRunner.Run("dotnet", ["publish", TracerProject, "-nologo", "--no-restore", "-o", output, .. PublishSettings(arch).MsBuildArguments]);
            }
        });

    TracerPublishSettings PublishSettings(Arch arch) =>
        new(arch, SelfContained, Configuration.ToString(), ReleaseVersion, BpfObject(arch), Path.Combine(ObjDirectory, "restore", arch.Rid));

    string PublishDirectory(Arch arch) => Path.Combine(ArtifactsDirectory, "publish", arch.Rid);
}
