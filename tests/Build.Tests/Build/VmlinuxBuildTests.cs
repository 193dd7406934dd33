namespace TracerBuild.Tests;

/// <summary>The Vmlinux target through ./build.sh: each test has its own loopback mirror and empty cache.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class VmlinuxBuildTests : IDisposable
{
    private readonly MirrorServer _mirror = new(Repository.VmlinuxMirror);
    private readonly TempDirectory _cache = new();
    private readonly VmlinuxLock _lock = VmlinuxLock.Load(Path.Combine(Repository.Root, "bpf", "vmlinux.lock.json"));

    public void Dispose()
    {
        _mirror.Dispose();
        _cache.Dispose();
    }

    private string[] Vmlinux(params string[] extra) =>
        ["--target", "Vmlinux", "--arch", "x64", "arm64", "--vmlinux-mirror", _mirror.Url, "--cache-dir", _cache.Path, .. extra];

    private ProcessResult Run(params string[] extra) => BuildScriptFixture.BuildScript(Repository.Root, Vmlinux(extra));

    private string PinnedPath(Arch arch) => $"{_lock.Commit}/include/{arch.VmlinuxDir}/{_lock.For(arch).File}";

    private void AssertCachedAndStaged()
    {
        foreach (var arch in Arch.All)
        {
            var cached = new VmlinuxCache(AbsolutePath.Of(_cache.Path)).PathOf(_lock.Commit, arch.VmlinuxDir, _lock.For(arch).File);
            Assert.Equal(_lock.For(arch).Sha256, Sha256.OfFile(cached));
            Assert.Equal(_lock.For(arch).Sha256, Sha256.OfFile(BuildScriptFixture.Artifact($"obj/vmlinux/{arch.VmlinuxDir}/vmlinux.h")));
        }
    }

    [Fact]
    public void A_cold_run_fetches_exactly_the_pinned_files_and_a_warm_run_makes_no_request()
    {
        var cold = Run();
        Assert.True(cold.ExitCode == 0, cold.Output);
        Assert.Equal(2, _mirror.Requests);
        Assert.All(Arch.All, arch => Assert.Equal(1, _mirror.RequestsFor(PinnedPath(arch))));
        AssertCachedAndStaged();

        var warm = Run();
        Assert.True(warm.ExitCode == 0, warm.Output);
        Assert.Equal(2, _mirror.Requests);
        Assert.Matches(@"(?m)^Vmlinux\s+UpToDate", warm.Output);
    }

    [Fact]
    public void Downloads_show_a_progress_bar_on_a_terminal_and_plain_lines_otherwise()
    {
        var typescript = Path.Combine(_cache.Path, "..", $"{Path.GetFileName(_cache.Path)}.typescript");
        var command = string.Join(' ', new[] { Path.Combine(Repository.Root, "build.sh") }.Concat(Vmlinux()).Select(a => $"'{a}'"));

        // script(1) runs the build on a pseudo-terminal, as a person at a terminal would.
        var onTerminal = Programs.TryRun("script", ["-qec", command, typescript], environment: new Dictionary<string, string> { ["CI"] = "" });
        var shown = File.ReadAllText(typescript);
        File.Delete(typescript);

        Assert.True(onTerminal.ExitCode == 0, shown);
        Assert.Contains($"{Arch.X64.VmlinuxDir}/{_lock.For(Arch.X64).File}", shown);
        Assert.Contains("━", shown);

        using var other = new TempDirectory();
        var redirected = BuildScriptFixture.BuildScript(Repository.Root,
            "--target", "Vmlinux", "--arch", "x64", "--vmlinux-mirror", _mirror.Url, "--cache-dir", other.Path);
        Assert.True(redirected.ExitCode == 0, redirected.Output);
        Assert.DoesNotContain("\u001b[", redirected.Output);
        Assert.Contains($"vmlinux.h for x64: fetched {_mirror.Url}/{PinnedPath(Arch.X64)}", redirected.Output);
    }

    [Fact]
    public void A_flaky_dropping_mirror_is_survived()
    {
        foreach (var fault in new[] { Fault.ServerError, Fault.DropMidBody, Fault.ShortBody })
            _mirror.Faults.Enqueue(fault);

        var result = Run();

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(5, _mirror.Requests);
        Assert.Equal(3, result.Lines.Count(l => l.Contains("retrying in", StringComparison.Ordinal)));
        AssertCachedAndStaged();
    }

    [Fact]
    public void A_tampered_mirror_is_rejected_with_one_line_that_says_sha256()
    {
        using var tampered = new MirrorServer(Repository.VmlinuxMirror, bytes => [.. bytes, (byte)' ']);

        var result = BuildScriptFixture.BuildScript(Repository.Root,
            "--target", "Vmlinux", "--arch", "x64", "--vmlinux-mirror", tampered.Url, "--cache-dir", _cache.Path);

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Lines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("sha256 mismatch", error);
        Assert.DoesNotContain(Directory.EnumerateFiles(_cache.Path, "*.h", SearchOption.AllDirectories), _ => true);
    }

    [Fact]
    public void A_byte_changed_in_the_cached_header_or_the_BPF_object_with_size_and_mtime_kept_is_reported_and_replaced()
    {
        var first = Run("--target", "CompileBpf");
        Assert.True(first.ExitCode == 0, first.Output);
        var header = new VmlinuxCache(AbsolutePath.Of(_cache.Path)).PathOf(_lock.Commit, Arch.X64.VmlinuxDir, _lock.For(Arch.X64).File);
        var bpfObject = BuildScriptFixture.Artifact("obj/bpf/x64/tracer.bpf.o");
        var built = File.ReadAllBytes(bpfObject);
        VmlinuxProviderTests.FlipFirstByteKeepingSizeAndMtime(header);
        VmlinuxProviderTests.FlipFirstByteKeepingSizeAndMtime(bpfObject);

        var second = Run("--target", "CompileBpf");

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains($"vmlinux.h for x64: the cached {header} does not hash to the lock's sha256 (changed on disk); replacing it", second.Output);
        Assert.Contains("CompileBpf: output changed: artifacts/obj/bpf/x64/tracer.bpf.o (its content no longer matches what the build wrote); running it again to replace it.", second.Output);
        Assert.Equal(3, _mirror.Requests);
        AssertCachedAndStaged();
        Assert.Equal(built, File.ReadAllBytes(bpfObject));
    }

    [Fact]
    public void Half_written_tarballs_a_killed_Package_left_are_swept_by_the_next_build()
    {
        var besideTarballs = BuildScriptFixture.Artifact($"tracer-9.9.9-linux-x64.tar.gz{AtomicFile.TemporaryMarker}1-0123");
        // Named as the build names its temporary folders, after a process that cannot exist (above the largest pid).
        var temporaryFolder = BuildScriptFixture.Artifact("obj/tmp/4194305.package.0123");
        var inTemporaryFolder = Path.Combine(temporaryFolder, $"tracer-9.9.9-linux-x64.tar.gz{AtomicFile.TemporaryMarker}1-4567");
        Directory.CreateDirectory(temporaryFolder);
        File.WriteAllText(besideTarballs, "half a tarball");
        File.WriteAllText(inTemporaryFolder, "half a tarball");

        var next = Run();

        Assert.True(next.ExitCode == 0, next.Output);
        Assert.False(File.Exists(besideTarballs));
        Assert.False(Directory.Exists(temporaryFolder));
        Assert.Contains($"Removing {Path.GetRelativePath(Repository.Root, besideTarballs)}, left by a build that was stopped", next.Output);
        Assert.Contains($"Removing {Path.GetRelativePath(Repository.Root, temporaryFolder)}, left by a build that was stopped", next.Output);
    }

    [Fact]
    public void Two_builds_started_together_on_an_empty_cache_both_succeed_and_fetch_each_file_once()
    {
        _mirror.SlowDelay = TimeSpan.FromSeconds(1);
        _mirror.Faults.Enqueue(Fault.Slow);
        _mirror.Faults.Enqueue(Fault.Slow);

        using var first = BuildScriptFixture.StartBuildScript(Vmlinux());
        using var second = BuildScriptFixture.StartBuildScript(Vmlinux());
        foreach (var build in new[] { first, second })
        {
            var (exitCode, output, errors) = build.WaitForExit(TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, output + errors);
        }

        Assert.All(Arch.All, arch => Assert.Equal(1, _mirror.RequestsFor(PinnedPath(arch))));
        AssertCachedAndStaged();
    }

    [Fact]
    public void A_build_killed_mid_download_leaves_no_bad_entry_and_the_rerun_gets_the_right_file()
    {
        _mirror.Faults.Enqueue(Fault.Stall);
        using (var killed = BuildScriptFixture.StartBuildScript(Vmlinux()))
        {
            Assert.True(_mirror.Stalled.Wait(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken), "the build never started downloading");
            killed.Kill();
        }
        var entry = new VmlinuxCache(AbsolutePath.Of(_cache.Path)).PathOf(_lock.Commit, Arch.X64.VmlinuxDir, _lock.For(Arch.X64).File);
        Assert.False(File.Exists(entry));

        var rerun = Run();

        Assert.True(rerun.ExitCode == 0, rerun.Output);
        AssertCachedAndStaged();
        Assert.DoesNotContain(Directory.EnumerateFiles(_cache.Path, "*", SearchOption.AllDirectories), f => f.Contains(AtomicFile.TemporaryMarker));
    }

    [Fact]
    public void Ctrl_C_during_a_download_aborts_it_and_still_prints_the_summary()
    {
        _mirror.Faults.Enqueue(Fault.Stall);
        using var build = BuildScriptFixture.StartBuildScript([.. Vmlinux(), "--target", "CompileBpf"]);
        Assert.True(_mirror.Stalled.Wait(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken), "the build never started downloading");

        // build.sh execs the build program, so its process is the one a terminal's Ctrl-C reaches.
        build.Signal("INT");

        var (exitCode, shown, errors) = build.WaitForExit();
        Assert.Equal(BuildRunner.InterruptedExitCode, exitCode);
        Assert.Equal("error: Vmlinux was interrupted.", errors.Trim());
        Assert.Matches(@"(?m)^Vmlinux\s+Aborted", shown);
        Assert.Matches(@"(?m)^CompileBpf\s+NotRun", shown);
        Assert.Contains("Build interrupted.", shown);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_ref_is_resolved_through_its_vmlinux_h_link_and_warned_of_as_unpinned(bool underActions)
    {
        var stepSummary = Path.Combine(_cache.Path, "..", $"{Path.GetFileName(_cache.Path)}.summary.md");
        var environment = underActions ? new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = stepSummary } : [];

        var result = BuildScriptFixture.BuildScript(Repository.Root, environment, Vmlinux("--vmlinux-ref", _lock.Commit));

        Assert.True(result.ExitCode == 0, result.Output);
        var warning = $"vmlinux.h for x64: UNPINNED, vmlinux_6.19.h of {_lock.Commit} (sha256 {_lock.For(Arch.X64).Sha256}); the lock does not reproduce this build";
        Assert.Contains(underActions ? $"::warning::{warning}" : $"warning: {warning}", result.Lines);
        if (underActions)
        {
            Assert.Contains("::group::Vmlinux", result.Lines);
            Assert.Contains("| Vmlinux | Succeeded |", File.ReadAllText(stepSummary));
            File.Delete(stepSummary);
        }
        Assert.All(Arch.All, arch => Assert.Equal(1, _mirror.RequestsFor($"{_lock.Commit}/include/{arch.VmlinuxDir}/vmlinux.h")));
        Assert.Empty(Directory.EnumerateFiles(_cache.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Host_BTF_gives_an_unpinned_header_the_BPF_code_compiles_against()
    {
        Assert.SkipUnless(File.Exists(HostBtf.KernelBtf), $"this kernel has no {HostBtf.KernelBtf}");
        var host = Arch.Host.Name;

        var result = BuildScriptFixture.BuildScript(Repository.Root,
            "--target", "CompileBpf", "--arch", host, "--vmlinux-source", "host", "--cache-dir", _cache.Path, "--vmlinux-mirror", _mirror.Url);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains($"warning: vmlinux.h for {host}: UNPINNED, generated from this kernel's BTF", result.Output);
        // The BPF code is compiled for every arch: the others against their pinned headers.
        var others = Arch.All.Where(a => a != Arch.Host).ToList();
        Assert.Equal(others.Count, _mirror.Requests);
        Assert.All(others, arch => Assert.Equal(1, _mirror.RequestsFor(PinnedPath(arch))));
        ArchCheck.VerifyBpfObject(BuildScriptFixture.Artifact($"obj/bpf/{host}/tracer.bpf.o"));
    }

    [Fact]
    public void Host_BTF_for_another_arch_is_refused_in_one_line()
    {
        var other = Arch.All.First(a => a != Arch.Host).Name;

        var result = BuildScriptFixture.BuildScript(Repository.Root, "--target", "Vmlinux", "--arch", other, "--vmlinux-source", "host");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: --vmlinux-source host describes this machine's kernel only, so it builds only for --arch {Arch.Host.Name}.", Assert.Single(result.Lines));
    }
}
