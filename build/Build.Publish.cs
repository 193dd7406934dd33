using TracerBuild.Publish;
using TracerBuild.Versioning;
using TracerBuild;

partial class Build
{
    Target Restore => _ => _
        .DependsOn(Preflight)
        .Description("Restores the tracer for each arch; stops here when the feed lacks a self-contained arch's runtime packs")
        .Inputs(() => [Paths.TracerProject, .. Paths.SharedBuildFiles])
        .InputValues(() => [Configuration.ToString(), $"self-contained {SelfContained}", $"executable {Executable}", .. Arches.Select(a => a.Rid)])
        .Outputs(() => Arches.Select(Paths.AssetsFile))
        .Executes(() =>
        {
            ForEachArch(arch => TracerRestore.Run(Paths.TracerProject, PublishSettings(arch), Temporary));
        });

    Target Publish => _ => _
        .DependsOn(Restore, CompileBpf, KernelBtf, NativeLibraries)
        .Description("Publishes the tracer for each arch, its BPF object and the minimized BTF of the lock's kernels embedded")
        .Inputs(() => [Paths.TracerDirectory, .. Paths.SharedBuildFiles, .. Arches.Select(Paths.BpfObject), .. Arches.Select(Paths.KernelBtfFolder), .. Arches.Select(Paths.AssetsFile),
            .. Arches.Select(a => Paths.NativeLibraries(a).Static)])
        .InputValues(() => Arches.SelectMany(a => PublishSettings(a).MsBuildArguments))
        .Outputs(() => Arches.Select(Paths.PublishDirectory))
        .Executes(() =>
        {
            ForEachArch(arch =>
            {
                var output = Paths.PublishDirectory(arch);
                output.DeleteDirectory();
                DotNetCli.Run(Temporary, ["publish", Paths.TracerProject, "-nologo", "--no-restore", "-o", output, .. PublishSettings(arch).MsBuildArguments]);
            });
        });

    TracerPublishSettings PublishSettings(Arch arch) =>
        new(arch, SelfContained, Executable == TracerExecutable.Aot, Configuration.ToString(), ReleaseVersion, Paths.BpfObject(arch), Paths.RestoreDirectory(arch), Paths.NativeLibraries(arch),
            Paths.KernelBtfFolder(arch));
}
