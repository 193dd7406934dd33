using TracerBuild;

partial class Build
{
    Target Restore => _ => _
        .DependsOn(Preflight)
        .Description("Restores the tracer for each arch; stops here when the feed lacks a self-contained arch's runtime packs")
        .Inputs(() => [TracerProject, .. SharedBuildFiles])
        .InputValues(() => [Configuration.ToString(), $"self-contained {SelfContained}", $"executable {Executable}", .. Arches.Select(a => a.Rid)])
        .Outputs(() => Arches.Select(AssetsFile))
        .Executes(() =>
        {
            ForEachArch(arch => TracerRestore.Run(TracerProject, PublishSettings(arch), ObjDirectory));
        });

    Target Publish => _ => _
        .DependsOn(Restore, CompileBpf)
        .Description("Publishes the tracer for each arch, its BPF object embedded")
        .Inputs(() => [TracerDirectory, .. SharedBuildFiles, .. Arches.Select(BpfObject), .. Arches.Select(AssetsFile)])
        .InputValues(() => Arches.SelectMany(a => PublishSettings(a).MsBuildArguments))
        .Outputs(() => Arches.Select(PublishDirectory))
        .Executes(() =>
        {
            ForEachArch(arch =>
            {
                var output = PublishDirectory(arch);
                if (Directory.Exists(output))
                    Directory.Delete(output, recursive: true);
                DotNetCli.Run(ObjDirectory, ["publish", TracerProject, "-nologo", "--no-restore", "-o", output, .. PublishSettings(arch).MsBuildArguments]);
            });
        });

    TracerPublishSettings PublishSettings(Arch arch) =>
        new(arch, SelfContained, Executable == TracerExecutable.Aot, Configuration.ToString(), ReleaseVersion, BpfObject(arch), RestoreDirectory(arch));

    string RestoreDirectory(Arch arch) => Path.Combine(ObjDirectory, "restore", arch.Rid);

    string AssetsFile(Arch arch) => Path.Combine(RestoreDirectory(arch), "project.assets.json");

    string PublishDirectory(Arch arch) => Path.Combine(ArtifactsDirectory, "publish", arch.Rid);
}
