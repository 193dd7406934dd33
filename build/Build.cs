using TracerBuild.Versioning;
using TracerBuild.Vmlinux;
using TracerBuild;

/// <summary>The build of the tracer: one partial class file per concern.</summary>
partial class Build : BuildBase
{
    public static int Main(string[] args) => Execute<Build>(args, x => x.Package);

    [Parameter("Arches to build: x64, arm64 (or an alias of either), host or all")]
    readonly TableRows<Arch>[] Arch = [TableRows<Arch>.Parse("host", null)];

    [Parameter("Build configuration (Debug or Release)")]
    readonly Configuration Configuration = Configuration.Release;

    [Parameter("SemVer of the release; default: the git tag vX.Y.Z on HEAD, else a -dev version")]
    readonly string? Version = null;

    [Parameter("true (default): self-contained, needs no .NET; false: framework-dependent tracer.dll with a launcher script, in a tarball named ...-framework-dependent")]
    readonly bool SelfContained = true;

    [Parameter("How a self-contained tracer is compiled: aot (NativeAOT, the default) or singlefile (trimmed single file on the JIT)")]
    readonly TracerExecutable Executable = TracerExecutable.Aot;

    [Parameter("Where vmlinux.h headers come from: a base URL, file:// URL or local folder laid out like upstream")]
    readonly PathOrUrl VmlinuxMirror = PathOrUrl.From("https://raw.githubusercontent.com/libbpf/vmlinux.h", "/");

    [Parameter("Debian archive for the link sysroot, libbpf's source and VmTest's kernels and userland; default: the one this machine's apt sources name, else deb.debian.org")]
    readonly string? DebianMirror = null;

    string DebianArchiveUri => DebianMirror ?? TracerBuild.Debian.DebianArchive.HostArchiveUri();

    [Parameter("Run each target's per-arch work for all arches at once, log lines prefixed with the arch")]
    readonly bool Parallel = false;

    [Parameter("Where downloads are cached; default $XDG_CACHE_HOME/tracer-build, else ~/.cache/tracer-build")]
    readonly AbsolutePath? CacheDir = null;

    [Parameter("Seconds to wait for another build of this checkout to release artifacts/build.lock")]
    readonly int LockTimeout = 600;

    /// <summary>The arches <c>--arch</c> picks, each once, in table order.</summary>
    IReadOnlyList<Arch> Arches => TableRows<Arch>.Union(Arch);
    BuildPaths Paths = null!;
    GitHead? Head;
    string ReleaseVersion = "";
    DateTimeOffset SourceDate;
    VmlinuxLock Lock = null!;

    /// <summary>
    /// The BPF code is compiled for every arch whatever --arch says: the C# generated from the objects (event types,
    /// program and map names, which programs only some arches have) serves every arch.
    /// </summary>
    static IReadOnlyList<Arch> BpfArches => TracerBuild.Arch.All;

    /// <summary>Does a target's work for each arch: one after the other, or with --parallel all at once.</summary>
    void ForEachArch(Action<Arch> work) => ForEachArch(Arches, work);

    void ForEachArch(IReadOnlyList<Arch> arches, Action<Arch> work)
    {
        if (!Parallel || arches.Count < 2)
        {
            foreach (var arch in arches)
                work(arch);
            return;
        }
        try
        {
            System.Threading.Tasks.Parallel.ForEach(arches, arch =>
            {
                using (Log.PrefixedWith(arch.Name))
                    work(arch);
            });
        }
        catch (AggregateException all) when (all.InnerExceptions.OfType<BuildFailedException>().FirstOrDefault() is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    /// <summary>Where every temporary folder of the build goes (artifacts/obj/tmp).</summary>
    TemporaryFolders Temporary => new(Paths.Temporary);

    protected override AbsolutePath BuildLockFile => Paths.BuildLock;

    /// <summary>
    /// What a stopped build left, removed by the next one whatever its targets (the build lock makes it no running
    /// build's): the temporary folders of processes that are gone, and half-written tarballs beside the tarballs, where
    /// builds before artifacts/obj/tmp wrote them.
    /// </summary>
    protected override void OnBuildLockTaken()
    {
        foreach (var folder in Temporary.SweepLeftovers())
            Log.Line($"Removing {Paths.Show(folder)}, left by a build that was stopped");
        foreach (var file in Paths.Artifacts.GetFiles($"*{AtomicFile.TemporaryMarker}*").ToList())
        {
            Log.Line($"Removing {Paths.Show(file)}, left by a build that was stopped");
            file.DeleteFile();
        }
    }

    protected override TimeSpan BuildLockTimeout => TimeSpan.FromSeconds(LockTimeout);

    protected override string MissingProgramAdvice => "the Preflight target installs the build's prerequisites";

    /// <summary>TRACER_VERSION, TRACER_ARCH...: for when plain VERSION or ARCH mean something else in the environment.</summary>
    protected override string? EnvironmentPrefix => "TRACER";

    /// <summary>All input is checked here, before any target runs.</summary>
    protected override void OnParametersBound()
    {
        if (LockTimeout < 0)
            throw new BuildInputException($"Invalid --lock-timeout {LockTimeout}: expected a number of seconds, 0 or more.");
        Head = GitHead.Read(RootDirectory, BuildPaths.GitHeadCache(RootDirectory));
        ReleaseVersion = TracerBuild.Versioning.ReleaseVersion.Resolve(Version, Head);
        SourceDate = ReadSourceDate();
        Paths = new BuildPaths(RootDirectory, CacheDir ?? BuildPaths.DefaultCache(EnvironmentVariables),
            TracerBuild.Versioning.ReleaseVersion.WithoutMetadata(ReleaseVersion), SelfContained);
        Lock = VmlinuxLock.Load(Paths.VmlinuxLock);
        foreach (var arch in BpfArches)
            Lock.For(arch);
    }

    Target Clean => _ => _
        .Description("Deletes artifacts/ (but the lock this build holds) and the bin/ and obj/ folders of src/ and tests/")
        .Executes(() =>
        {
            // Not build/'s own: the running build program is loaded from them.
            var folders = new[] { "src", "tests" }
                .SelectMany(d => (RootDirectory / d).GetDirectories(recursive: true))
                .Where(d => d.Name is "bin" or "obj")
                .ToList();
            foreach (var folder in folders)
            {
                Log.Line($"Deleting {Paths.Show(folder)}");
                folder.DeleteDirectory();
            }
            // A lock file deleted while held would let the next build take a new one and run beside this one.
            Log.Line("Deleting artifacts/ but build.lock");
            foreach (var folder in Paths.Artifacts.GetDirectories())
                folder.DeleteDirectory();
            foreach (var file in Paths.Artifacts.GetFiles().Where(f => !f.Path.StartsWith(Paths.BuildLock, StringComparison.Ordinal)))
                file.DeleteFile();
        });
}

enum Configuration
{
    Debug,
    Release,
}

enum TracerExecutable
{
    Aot,
    SingleFile,
}
