namespace TracerBuild;

/// <summary>
/// Every path the build reads or writes, resolved once from the parameters (the checkout, the cache folder, the
/// version and kind of tracer being built) and handed to the steps that need them. Each derived name (object, restore
/// and publish folders, tarball, checksum, SBOM, VM files) is made here and nowhere else; the cache's own entries are
/// named by the cache classes (<see cref="Vmlinux.VmlinuxCache"/>, <see cref="Debian.DebianPackageCache"/>, <see cref="Native.LibbpfSource"/>,
/// <see cref="TracerBuild.KernelBtf.KernelBtfCache"/>).
/// </summary>
public sealed record BuildPaths(AbsolutePath Root, AbsolutePath Cache, string Version, bool SelfContained)
{
    /// <summary>$XDG_CACHE_HOME/tracer-build, else ~/.cache/tracer-build.</summary>
    public static AbsolutePath DefaultCache(IReadOnlyDictionary<string, string> environment) =>
        environment.GetValueOrDefault("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? AbsolutePath.From(xdg, "/") / "tracer-build"
            : AbsolutePath.From("~/.cache/tracer-build", "/");

    public static AbsolutePath ArtifactsOf(AbsolutePath root) => root / "artifacts";
    public static AbsolutePath ObjOf(AbsolutePath root) => ArtifactsOf(root) / "obj";
    /// <summary>Read before the paths are made, since the version (part of them) comes from it.</summary>
    public static AbsolutePath GitHeadCache(AbsolutePath root) => ObjOf(root) / "git-head";

    public AbsolutePath Artifacts => ArtifactsOf(Root);
    public AbsolutePath Obj => ObjOf(Root);
    public AbsolutePath BuildLock => Artifacts / "build.lock";
    /// <summary>The one root of every temporary folder (<see cref="TemporaryFolders"/>); build.sh names it too.</summary>
    public static AbsolutePath TemporaryOf(AbsolutePath root) => ObjOf(root) / "tmp";
    public AbsolutePath Temporary => TemporaryOf(Root);
    public AbsolutePath TestResults => Artifacts / "test-results";
    /// <summary>The closing <c>N passed, N failed, N skipped</c> line, which .ci/run prints.</summary>
    public AbsolutePath TestSummary => TestResults / "summary.txt";
    public AbsolutePath VmTestResults => Artifacts / "vmtest";

    public AbsolutePath BpfSources => Root / "bpf";
    /// <summary>The event layout, and the C# generated from it (<see cref="Bpf.EventTypesFile"/>).</summary>
    public AbsolutePath BpfHeader => BpfSources / "tracer.h";
    public AbsolutePath EventTypes => Root / Bpf.EventTypesFile.RelativePath;
    public AbsolutePath VmlinuxLock => BpfSources / "vmlinux.lock.json";
    /// <summary>The kernels the tracer carries BTF for (<see cref="TracerBuild.KernelBtf.KernelBtfLock"/>).</summary>
    public AbsolutePath KernelBtfLock => BpfSources / "btf.lock.json";
    public AbsolutePath TracerDirectory => Root / "src" / "Tracer";
    public AbsolutePath TracerProject => TracerDirectory / "Tracer.csproj";
    /// <summary>The launcher of a framework-dependent tracer.</summary>
    public AbsolutePath TracerLauncher => TracerDirectory / "tracer.sh";
    public AbsolutePath Solution => Root / "tracer.sln";
    public AbsolutePath UserReadme => Root / "docs" / "USER-README.md";
    public AbsolutePath License => Root / "LICENSE";
    public AbsolutePath InstallScript => Root / GitHub.InstallScript.FileName;
    public AbsolutePath VmInitScript => Root / "build" / "Vm" / "init.sh";

    /// <summary>The VM's UDP peer (<see cref="TracerBuild.Vm.UdpPeer"/>): its source, and each arch's static build.</summary>
    public AbsolutePath VmUdpPeerSource => Root / "build" / "Vm" / "udppeer.c";
    public AbsolutePath VmUdpPeer(Arch arch) => Obj / "vm" / $"udppeer-{arch.Name}";

    /// <summary>Files every .NET build of the repository reads besides its project.</summary>
    public IEnumerable<AbsolutePath> SharedBuildFiles => BuildProgramFreshness.SharedBuildFiles.Select(f => Root / f);

    public AbsolutePath VmlinuxInclude(Arch arch) => Obj / "vmlinux" / arch.VmlinuxDir;
    public AbsolutePath StagedVmlinux(Arch arch) => VmlinuxInclude(arch) / "vmlinux.h";
    public AbsolutePath BpfObject(Arch arch) => Obj / "bpf" / arch.Name / "tracer.bpf.o";
    /// <summary>An arch's minimized BTFs: one per kernel of the lock, named after its release as uname -r prints it, and nothing else.</summary>
    public AbsolutePath KernelBtfFolder(Arch arch) => Obj / "btf" / arch.Name;
    public AbsolutePath KernelBtf(Arch arch, string release) => KernelBtfFolder(arch) / $"{release}.btf";
    public AbsolutePath RestoreDirectory(Arch arch) => Obj / "restore" / arch.Rid;
    public AbsolutePath AssetsFile(Arch arch) => RestoreDirectory(arch) / "project.assets.json";
    public AbsolutePath PublishDirectory(Arch arch) => Artifacts / "publish" / arch.Rid;
    /// <summary>libbpf, libelf and zlib for the arch, and the sysroot they and the tracer are linked against.</summary>
    public Native.NativeLibraries NativeLibraries(Arch arch) => new(Obj / "native" / arch.Name);
    public AbsolutePath GlibcCompatSource => TracerDirectory / "Native" / "glibc-compat.c";

    /// <summary>The tarball's file name without .tar.gz, which is also its top folder.</summary>
    public string TarballName(Arch arch) => arch.TarballName(Version, SelfContained);
    public AbsolutePath Tarball(Arch arch) => Artifacts / $"{TarballName(arch)}.tar.gz";
    public AbsolutePath TarballChecksum(Arch arch) => Artifacts / $"{TarballName(arch)}.tar.gz.sha256";
    public AbsolutePath Sbom(Arch arch) => Artifacts / arch.SbomFileName(Version);

    /// <summary>A VmTest cell (an arch on a Debian release): its image's folder and its console log.</summary>
    public AbsolutePath VmImage(string cell) => Obj / "vm" / cell;
    public AbsolutePath VmConsoleLog(string cell) => VmTestResults / $"{cell}.log";
    public AbsolutePath VmSummary => VmTestResults / "summary.md";

    /// <summary>A path as the build's messages show it: relative to the checkout.</summary>
    public string Show(AbsolutePath path) => path.RelativeTo(Root);
}
