using System.Diagnostics;
using System.Text.Json;

namespace TracerBuild.Tests;

/// <summary>The main job end to end: ./build.sh compiles, publishes and packages; the packaged tracer traces.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class MainJobTests(BuildScriptFixture build)
{
    private const string Version = "1.2.3";

    [Fact]
    public void CompileBpf_builds_each_arch_against_its_own_header_and_target_macro()
    {
        var result = build.Succeed("--target", "CompileBpf", "--arch", "all", "--force");

        Assert.Matches(@"-D__TARGET_ARCH_x86 -I \S+/vmlinux/x86_64 ", result.Output);
        Assert.Matches(@"-D__TARGET_ARCH_arm64 -I \S+/vmlinux/aarch64 ", result.Output);
        var x64 = BuildScriptFixture.Artifact("obj/bpf/x64/tracer.bpf.o");
        var arm64 = BuildScriptFixture.Artifact("obj/bpf/arm64/tracer.bpf.o");
        Assert.Equal(Elf.MachineBpf, Elf.Machine(x64));
        Assert.Equal(Elf.MachineBpf, Elf.Machine(arm64));
        Assert.NotEqual(File.ReadAllBytes(x64), File.ReadAllBytes(arm64));
    }

    [Fact]
    public void Package_for_this_machine_gives_a_checksummed_tarball_whose_tracer_names_its_version_and_arch()
    {
        var host = Arch.Host;
        build.Succeed("--target", "Package", "--arch", host.Name, "--version", Version);
        using var extracted = new TempDirectory();
        var top = Path.Combine(BuildScriptFixture.Extract(BuildScriptFixture.Artifact($"tracer-{Version}-{host.Rid}.tar.gz"), extracted.Path), $"tracer-{Version}-{host.Rid}");

        AssertChecksumVerifies($"tracer-{Version}-{host.Rid}.tar.gz");
        TarballAssert.IsSane(BuildScriptFixture.Artifact($"tracer-{Version}-{host.Rid}.tar.gz"), $"tracer-{Version}-{host.Rid}", new HashSet<string> { "tracer" });
        // One executable with libbpf, libelf and zlib linked in, and the licences of what is linked in.
        Assert.Equal(
            ["LICENSE", "README.md", .. NativeLibraries.LicenseFiles.Select(f => $"licenses/{f}").Order(StringComparer.Ordinal), "tracer"],
            Directory.EnumerateFiles(top, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(top, f)).Order(StringComparer.Ordinal));
        Assert.Equal(TarballEntry.Executable, File.GetUnixFileMode(Path.Combine(top, "tracer")));
        Assert.Equal(host.ElfMachine, Elf.Machine(Path.Combine(top, "tracer")));
        AssertGlibcFloorHolds(Path.Combine(top, "tracer"));

        var version = Programs.Run(Path.Combine(top, "tracer"), ["--version"], echo: false);
        Assert.Equal($"tracer {Version} {host.Rid}", version.Output.Trim());

        // The tracer's own libbpf, not the machine's.
        var doctor = Programs.TryRun(Path.Combine(top, "tracer"), ["doctor"]);
        Assert.Matches($@"(?m)^pass  libbpf: libbpf {LibbpfSource.Version[..LibbpfSource.Version.LastIndexOf('.')]} linked into the tracer$", doctor.StandardOutput);

        if (!Repository.IsRoot)
            Assert.Skip("Running the packaged tracer loads BPF programs, which needs root; the tarball was checked without it.");
        AssertTracesExecEvents(Path.Combine(top, "tracer"));
    }

    [Fact]
    public void Package_all_framework_dependent_gives_both_arches_with_their_own_libraries_and_a_launcher()
    {
        build.Succeed("--target", "Package", "--arch", "all", "--self-contained", "false", "--version", Version);
        using var extracted = new TempDirectory();

        foreach (var arch in Arch.All)
        {
            var name = arch.TarballName(Version, selfContained: false);
            var tarball = BuildScriptFixture.Artifact($"{name}.tar.gz");
            AssertChecksumVerifies($"{name}.tar.gz");
            TarballAssert.IsSane(tarball, name, new HashSet<string> { "tracer" });
            var top = Path.Combine(BuildScriptFixture.Extract(tarball, extracted.Path), name);

            Assert.Equal(["libbpf.so.1", "libelf.so.1", "libz.so.1"], Directory.EnumerateFiles(Path.Combine(top, "lib")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.All(Directory.EnumerateFiles(Path.Combine(top, "lib")), lib => Assert.Equal(arch.ElfMachine, Elf.Machine(lib)));
            Assert.All(Directory.EnumerateFiles(Path.Combine(top, "lib")), AssertGlibcFloorHolds);
            Assert.StartsWith("#!/bin/sh", File.ReadAllText(Path.Combine(top, "tracer")));
            Assert.True(File.Exists(Path.Combine(top, "tracer.dll")));
            Assert.True(File.Exists(Path.Combine(top, "tracer.runtimeconfig.json")));
            Assert.Contains(arch.Rid, File.ReadAllText(Path.Combine(top, "tracer.deps.json")));
        }

        // This machine's launcher runs the dll with the installed .NET 10 runtime; the other arch's libraries load under qemu.
        var launcher = Path.Combine(extracted.Path, Arch.Host.TarballName(Version, selfContained: false), "tracer");
        Assert.Equal($"tracer {Version} {Arch.Host.Rid}", Programs.Run(launcher, ["--version"], echo: false).Output.Trim());
        var lib = Path.Combine(extracted.Path, Arch.Host.TarballName(Version, selfContained: false), "lib");
        Assert.Matches($@"(?m)^pass  libbpf: libbpf \d+\.\d+ loaded from {System.Text.RegularExpressions.Regex.Escape(Path.Combine(lib, "libbpf.so.1"))}$",
            Programs.TryRun(launcher, ["doctor"]).StandardOutput);
        // lib/ comes first: a broken libbpf there is what the tracer tries, and reports with exit code 6.
        File.WriteAllText(Path.Combine(lib, "libbpf.so.1"), "not a shared library");
        var doctor = Programs.TryRun(launcher, ["doctor"]);
        var monitor = Programs.TryRun(launcher, ["monitor", "--duration", "1"]);
        Assert.Equal(6, doctor.ExitCode);
        Assert.Contains(doctor.Lines, l => l.StartsWith("FAIL  libbpf: libbpf.so.1 could not be loaded from ", StringComparison.Ordinal) && l.Contains("fix: install libbpf1"));
        Assert.Equal(6, monitor.ExitCode);
        Assert.StartsWith("tracer: libbpf.so.1 could not be loaded from ", Assert.Single(monitor.Lines));

        var foreign = Arch.All.First(a => a != Arch.Host);
        var probe = new LibbpfProbe(foreign, Repository.Root);
        Assert.SkipUnless(probe.IsAvailable, $"Proving the {foreign.Name} lib/ loads: {probe.Unavailable} (the Test target installs them).");
        Assert.StartsWith("libbpf v", probe.Run(Path.Combine(extracted.Path, foreign.TarballName(Version, selfContained: false), "lib")));
    }

    [Fact]
    public void Parallel_arches_give_the_same_tarballs_as_one_after_the_other_with_prefixed_logs()
    {
        string[] package = ["--target", "Package", "--arch", "all", "--self-contained", "false", "--version", "2.0.0-parallel", "--force"];
        build.Succeed(package);
        var sequential = Arch.All.Select(a => File.ReadAllBytes(BuildScriptFixture.Artifact($"{a.TarballName("2.0.0-parallel", selfContained: false)}.tar.gz"))).ToList();

        var parallel = build.Succeed([.. package, "--parallel"]);

        Assert.Equal(sequential, Arch.All.Select(a => File.ReadAllBytes(BuildScriptFixture.Artifact($"{a.TarballName("2.0.0-parallel", selfContained: false)}.tar.gz"))));
        Assert.All(Arch.All, a => Assert.Contains($"[{a.Name}] > clang ", parallel.Output));
        Assert.All(Arch.All, a => Assert.Contains($"[{a.Name}] Wrote artifacts/{a.TarballName("2.0.0-parallel", selfContained: false)}.tar.gz", parallel.Output));
    }

    /// <summary>The README's main command: the arm64 tarball's tracer runs on an arm64 CPU (qemu) where no .NET is installed.</summary>
    [Fact]
    public void The_main_command_gives_a_self_contained_arm64_tracer_that_runs_without_dotnet()
    {
        const string mainVersion = "0.0.1-main";
        var name = Arch.Arm64.TarballName(mainVersion);

        build.Succeed("--target", "Package", "--arch", "arm64", "--version", mainVersion);

        var tarball = BuildScriptFixture.Artifact($"{name}.tar.gz");
        TarballAssert.IsSane(tarball, name, new HashSet<string> { "tracer" });
        Assert.DoesNotContain(TarballReader.Read(tarball), e => e.Name.EndsWith(".dll", StringComparison.Ordinal));
        using var extracted = new TempDirectory();
        var tracer = Path.Combine(BuildScriptFixture.Extract(tarball, extracted.Path), name, "tracer");
        Assert.Equal(Arch.Arm64.ElfMachine, Elf.Machine(tracer));

        var qemu = $"/usr/bin/qemu-{Arch.Arm64.Machine}-static";
        Assert.SkipUnless(Arch.Host == Arch.Arm64 || File.Exists(qemu), $"Running the arm64 tracer on this {Arch.Host.Name} machine needs {qemu} (qemu-user-static, installed by the Test target).");
        // env -i: no DOTNET_ROOT or PATH leads to a .NET, and an x64 .NET could not run arm64 code anyway.
        var run = Arch.Host == Arch.Arm64 ? (string[])["/usr/bin/env", "-i", tracer, "--version"] : ["/usr/bin/env", "-i", qemu, tracer, "--version"];
        var version = Programs.Run(run[0], run[1..], echo: false);
        Assert.Equal($"tracer {mainVersion} {Arch.Arm64.Rid}", version.Output.Trim());
    }

    [Fact]
    public void A_bad_SOURCE_DATE_EPOCH_stops_the_build_before_any_work()
    {
        var result = BuildScriptFixture.BuildScript(Repository.Root, new Dictionary<string, string> { ["SOURCE_DATE_EPOCH"] = "yesterday" },
            "--target", "Package", "--arch", "x64");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: SOURCE_DATE_EPOCH must be a number of seconds since 1970, got 'yesterday'.", Assert.Single(result.Lines));
    }

    [Theory]
    [InlineData("--target", "Shipit")]
    [InlineData("--arch", "riscv64")]
    [InlineData("--frobnicate", "yes")]
    [InlineData("--version", "1.2")]
    [InlineData("--kernel", "jessie")]
    public void Bad_input_gives_one_error_line_and_exit_code_1(params string[] arguments)
    {
        var result = build.Run(arguments);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Lines);
        Assert.StartsWith("error: ", line);
        Assert.DoesNotContain("   at ", result.Output);
    }

    /// <summary>Read with binutils, not the build's own ELF reader: no symbol above the floor, and only glibc's libraries NEEDED.</summary>
    private static void AssertGlibcFloorHolds(string elf)
    {
        var versions = System.Text.RegularExpressions.Regex.Matches(Programs.Run("objdump", ["-T", elf], echo: false).Output, @"GLIBC_(\d+\.\d+(?:\.\d+)?)")
            .Select(m => System.Version.Parse(m.Groups[1].Value)).ToList();
        Assert.NotEmpty(versions);
        Assert.True(versions.Max() <= GlibcFloor.Version, $"{elf} needs GLIBC_{versions.Max()}");
        var needed = System.Text.RegularExpressions.Regex.Matches(Programs.Run("readelf", ["-d", elf], echo: false).Output, @"\(NEEDED\)\s+Shared library: \[(.+)\]")
            .Select(m => m.Groups[1].Value).ToList();
        Assert.All(needed, library => Assert.True(GlibcFloor.GlibcLibraries.Contains(library) || library is "libelf.so.1" or "libz.so.1", $"{elf} needs {library}"));
    }

    private static void AssertChecksumVerifies(string tarballName)
    {
        var check = Programs.TryRun("sha256sum", ["-c", tarballName + ".sha256"], workingDirectory: Path.Combine(Repository.Root, "artifacts"));
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Equal($"{tarballName}: OK", check.Output.Trim());
    }

    private static void AssertTracesExecEvents(string tracer)
    {
        using var monitor = new TracerProcess(tracer, "--duration", "3");

        var started = DateTime.UtcNow;
        for (var i = 0; i < 3; i++)
            Programs.Run("/bin/true", [], echo: false);

        var (exitCode, stdout, stderr) = monitor.WaitForExit();
        Assert.Equal(0, exitCode);
        var events = TracerProcess.JsonLines(stdout);
        Assert.Equal($"tracer: {events.Count} events received, 0 lost", stderr.Trim());
        var trueRuns = events.Where(e => e.GetProperty("type").GetString() == "exec" && e.GetProperty("comm").GetString() == "true").ToList();

        Assert.True(3 == trueRuns.Count(e => e.GetProperty("ppid").GetInt32() == Environment.ProcessId),
            $"expected 3 exec events of /bin/true with ppid {Environment.ProcessId}, got:\n{stdout}");
        Assert.All(trueRuns, e =>
        {
            Assert.EndsWith("/bin/true", e.GetProperty("filename").GetString());
            Assert.True(e.GetProperty("pid").GetInt32() > 0);
            Assert.Equal(0, e.GetProperty("uid").GetInt32());
            var ts = DateTime.Parse(e.GetProperty("ts").GetString()!, null, System.Globalization.DateTimeStyles.RoundtripKind);
            Assert.InRange(ts, started.AddSeconds(-5), DateTime.UtcNow.AddSeconds(5));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", e.GetProperty("ts").GetString());
        });
    }
}
