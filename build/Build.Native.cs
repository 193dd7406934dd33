using TracerBuild.Native;
using TracerBuild;

partial class Build
{
    Target NativeLibraries => _ => _
        .DependsOn(Preflight)
        .Description($"Builds libbpf {LibbpfSource.Version} from its pinned source with Debian {Sysroot.Suite}'s libelf and zlib, against Debian {Sysroot.Suite}'s C library, for each arch")
        .Inputs(() => [Paths.GlibcCompatSource])
        .InputValues(() => [LibbpfSource.Sha256, Sysroot.Suite, DebianArchiveUri, InstalledProgram("clang"), .. Sysroot.Packages,
            .. Arches.Select(a => $"{a.Name} {string.Join(' ', a.NativeCFlags)}")])
        // Not the whole sysroot (thousands of headers to hash on every run): its version list, written once it is complete.
        .Outputs(() => Arches.Select(Paths.NativeLibraries).SelectMany(n => new[] { n.Static, n.Shared, n.Licenses, Sysroot.VersionsFileOf(n.SysrootFolder) }))
        .Executes(() =>
        {
            var libbpf = LibbpfSource.Ensure(Paths.Cache, DebianArchiveUri, Cancellation);
            ForEachArch(arch =>
            {
                var packages = Sysroot.Download(Paths.Cache, DebianArchiveUri, arch);
                using var work = Temporary.Create("native");
                Paths.NativeLibraries(arch).Build(arch, packages, libbpf, Paths.GlibcCompatSource, work.Path);
                Log.Line($"Built libbpf {LibbpfSource.Version} for {arch.Name} against Debian {Sysroot.Suite} in {Paths.Show(Paths.NativeLibraries(arch).Folder)}");
            });
        });
}
