using TracerBuild;
using TracerBuild.Engine;

partial class Build
{
    Target Publish => _ => _
        .DependsOn(CompileBpf)
        .Description("Publishes the tracer for each arch, its BPF object embedded")
        .Executes(() =>
        {
            foreach (var arch in Arches)
            {
                var output = PublishDirectory(arch);
                if (Directory.Exists(output))
                    Directory.Delete(output, recursive: true);
                ProcessRunner.Run("dotnet", ["publish", TracerProject, "-nologo", "-o", output, .. PublishSettings(arch).MsBuildArguments]);
            }
        });

    TracerPublishSettings PublishSettings(Arch arch) =>
        new(arch, SelfContained, Configuration.ToString(), ReleaseVersion, BpfObject(arch));

    string PublishDirectory(Arch arch) => Path.Combine(ArtifactsDirectory, "publish", arch.Rid);
}
