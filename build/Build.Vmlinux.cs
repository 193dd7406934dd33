using Spectre.Console;
using TracerBuild;
using TracerBuild.GitHub;
using TracerBuild.Vmlinux;

partial class Build
{
    [Parameter("pinned: the lock's headers from --vmlinux-mirror; host: generated from this kernel's BTF (unpinned, host arch only)")]
    readonly VmlinuxSource VmlinuxSource = VmlinuxSource.Pinned;

    [Parameter("Build against the vmlinux.h of this upstream branch or commit instead of the lock's (unpinned)")]
    readonly string? VmlinuxRef = null;

    Target Vmlinux => _ => _
        .Description("Fetches every arch's pinned vmlinux.h (sha256-verified, cached), which CompileBpf compiles against")
        .Requires(ValidateVmlinuxSource)
        .Inputs(() => [Paths.VmlinuxLock])
        .InputValues(() => [$"source {VmlinuxSource}", $"ref {VmlinuxRef}", .. BpfArches.Select(a => a.VmlinuxDir)])
        .Outputs(() => BpfArches.Select(Paths.StagedVmlinux)
            .Concat(BpfArches.Select(a => new VmlinuxCache(Paths.Cache).PathOf(Lock.Commit, a.VmlinuxDir, Lock.For(a).File))))
        .AlwaysRunsWhen(() => VmlinuxSource == VmlinuxSource.Host || VmlinuxRef is { Length: > 0 }, "unpinned headers are fetched or generated every time")
        .Executes(() =>
        {
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("tracer-build");
            var mirror = Mirror.Create(VmlinuxMirror, http, FetchPolicy.Default, Cancellation);
            var cache = new VmlinuxCache(Paths.Cache);
            WithDownloadProgress(progress =>
            {
                var provider = new VmlinuxProvider(mirror, cache, progress);
                ForEachArch(BpfArches, arch => StageHeader(arch, provider));
            });
        });

    Target UpdateVmlinux => _ => _
        .Description("Re-pins bpf/vmlinux.lock.json to upstream's --vmlinux-ref (default main): resolves, downloads and hashes each dir's header")
        .Requires(ValidateVmlinuxSource)
        .Requires(ValidateGithubApiUrl)
        .Executes(() =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("tracer-build");
            var gitRef = VmlinuxRef is { Length: > 0 } requested ? requested : "main";
            var commit = new GitHubApi(new Uri(GithubApiUrl), Lock.Repository, GithubToken ?? "", TimeSpan.FromMinutes(5)).CommitOf(gitRef);
            var cache = new VmlinuxCache(Paths.Cache);
            var provider = new VmlinuxProvider(Mirror.Create(VmlinuxMirror, http, FetchPolicy.Default, Cancellation), cache);

            var files = new SortedDictionary<string, VmlinuxLockEntry>(StringComparer.Ordinal);
            foreach (var arch in TracerBuild.Arch.All)
            {
                var (file, bytes) = provider.Resolve(commit, arch);
                var sha256 = Sha256.Of(bytes);
                cache.Store(cache.PathOf(commit, arch.VmlinuxDir, file), bytes);
                files[arch.VmlinuxDir] = new VmlinuxLockEntry(file, sha256);
            }

            var updated = new VmlinuxLock(Lock.Repository, commit, files);
            Log.Line($"{Lock.Repository} {gitRef}: {Lock.Commit} -> {commit}");
            foreach (var (dir, entry) in files)
            {
                var old = Lock.Files.GetValueOrDefault(dir);
                Log.Line($"  {dir}: {old?.File ?? "(none)"} {old?.Sha256 ?? ""} -> {entry.File} {entry.Sha256}");
            }
            if (updated.ToJson().SequenceEqual(Paths.VmlinuxLock.ReadAllBytes()))
                Log.Line($"{Paths.Show(Paths.VmlinuxLock)} already pins these files.");
            else
                AtomicFile.Write(Paths.VmlinuxLock, updated.ToJson());
        });

    void StageHeader(Arch arch, VmlinuxProvider provider)
    {
        var staged = Paths.StagedVmlinux(arch);
        // This machine's kernel describes its own arch only; the others compile against their pinned headers.
        if (VmlinuxSource == VmlinuxSource.Host && arch == TracerBuild.Arch.Host)
        {
            AtomicFile.Write(staged, HostBtf.Dump());
            Log.Warning($"vmlinux.h for {arch.Name}: UNPINNED, generated from this kernel's BTF ({HostBtf.KernelBtf}); the lock does not reproduce this build");
        }
        else if (VmlinuxRef is { Length: > 0 })
        {
            var (file, bytes) = provider.Resolve(VmlinuxRef, arch);
            AtomicFile.Write(staged, bytes);
            Log.Warning($"vmlinux.h for {arch.Name}: UNPINNED, {file} of {VmlinuxRef} (sha256 {Sha256.Of(bytes)}); the lock does not reproduce this build");
        }
        else
        {
            AbsolutePath.Of(provider.GetPinned(Lock, arch)).CopyTo(staged);
        }
    }

    /// <summary>A progress bar per download on a terminal; plain log lines when output is redirected or under CI.</summary>
    void WithDownloadProgress(Action<Func<string, IProgress<(long Read, long? Total)>?>?> fetch)
    {
        var interactive = !Console.IsOutputRedirected && EnvironmentVariables.GetValueOrDefault("CI") is null or "" or "false";
        if (!interactive)
        {
            fetch(null);
            return;
        }
        AnsiConsole.Progress().AutoClear(true).Start(context =>
            fetch(name =>
            {
                var task = context.AddTask(Markup.Escape(name), maxValue: 1);
                return new Progress<(long Read, long? Total)>(p =>
                {
                    task.MaxValue = p.Total ?? Math.Max(p.Read, 1);
                    task.Value = p.Read;
                });
            }));
    }

    /// <summary>--vmlinux-ref names a git ref; --vmlinux-source host is this machine's kernel, so its arch alone and no ref.</summary>
    void ValidateVmlinuxSource()
    {
        if (VmlinuxRef is not null)
            GitRefName.Validate(VmlinuxRef, "--vmlinux-ref");
        if (VmlinuxSource == VmlinuxSource.Host && Arches.Any(a => a != TracerBuild.Arch.Host))
            throw new BuildInputException($"--vmlinux-source host describes this machine's kernel only, so it builds only for --arch {TracerBuild.Arch.Host.Name}.");
        if (VmlinuxSource == VmlinuxSource.Host && VmlinuxRef is { Length: > 0 })
            throw new BuildInputException("--vmlinux-source host and --vmlinux-ref exclude each other: the header comes from this kernel or from upstream.");
    }
}

enum VmlinuxSource
{
    Pinned,
    Host,
}
