using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tracer.Bpf;
using TracerException = Tracer.TracerException;

namespace TracerBuild.Tests;

/// <summary>The tracer published for this machine's arch, against the real kernel: events of processes the tests start, filters, exit and errors.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed partial class TracerTests(BuildScriptFixture build)
{
    private const string NeedsRoot = "Loading BPF programs needs root; run the tests as root to trace for real.";

    private static string? _tracer;

    /// <summary>artifacts/publish/linux-&lt;host arch&gt;/tracer, published from the current sources once per test run.</summary>
    private string Tracer()
    {
        var tracer = BuildScriptFixture.Artifact($"publish/{Arch.Host.Rid}/tracer");
        if (_tracer is null)
            build.Succeed("--target", "Publish", "--arch", Arch.Host.Name);
        _tracer = tracer;
        return tracer;
    }

    [Fact]
    public void Exec_and_open_of_a_known_process_are_traced_and_comm_filter_is_exact()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("tcat");
        var program = Copy("/bin/cat", dir.Path, name);
        var longerName = Copy("/bin/cat", dir.Path, name + "x");
        var marker = Marker(dir.Path);

        using var tracer = new TracerProcess(Tracer(), "--events", "exec,open", "--comm", name, "--duration", "3");
        var pid = RunToEnd(program, marker);
        RunToEnd(longerName, marker);
        RunToEnd("/bin/cat", marker);
        var (exitCode, stdout, stderr) = tracer.WaitForExit();

        Assert.Equal(0, exitCode);
        var events = TracerProcess.JsonLines(stdout);
        Assert.All(events, e => Assert.Equal(name, e.GetProperty("comm").GetString()));
        Assert.All(events, e => Assert.Equal(pid, e.GetProperty("pid").GetInt32()));
        var exec = Assert.Single(events, e => e.GetProperty("type").GetString() == "exec");
        Assert.Equal(program, exec.GetProperty("filename").GetString());
        Assert.Equal([program, marker], exec.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(Environment.ProcessId, exec.GetProperty("ppid").GetInt32());
        Assert.Equal(0, exec.GetProperty("uid").GetInt32());
        AssertTimestamp(exec);
        var open = Assert.Single(events, e => e.GetProperty("type").GetString() == "open" && e.GetProperty("path").GetString() == marker);
        Assert.Equal(0, open.GetProperty("flags").GetInt32() & 3); // O_RDONLY
        Assert.True(open.GetProperty("result").GetInt32() >= 0, open.ToString());
        AssertTimestamp(open);
        Assert.Matches($@"^tracer: {events.Count} events received, 0 lost$", stderr.Trim());
    }

    [Fact]
    public void Path_glob_keeps_only_exec_and_open_events_whose_path_matches()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("tglob");
        var program = Copy("/bin/cat", dir.Path, name);
        var marker = Marker(dir.Path);
        var other = Path.Combine(dir.Path, "other.txt");
        File.WriteAllText(other, "hello");

        using var tracer = new TracerProcess(Tracer(), "--events", "exec,open", "--comm", name, "--path", "*/marker.*", "--duration", "3");
        RunToEnd(program, marker, other);
        var (exitCode, stdout, stderr) = tracer.WaitForExit();

        Assert.Equal(0, exitCode);
        var open = Assert.Single(TracerProcess.JsonLines(stdout));
        Assert.Equal("open", open.GetProperty("type").GetString());
        Assert.Equal(marker, open.GetProperty("path").GetString());
        // The kernel still sent the exec, the other opens and the loader's: --path filters in the tracer.
        var received = int.Parse(Regex.Match(stderr, @"tracer: (\d+) events received").Groups[1].Value);
        Assert.True(received >= 3, stderr);
    }

    /// <summary>
    /// The BPF side writes a short path into a record filled in place and copies a longer one at its own length:
    /// either way, and across the border between them, the path comes back whole, up to the 255 bytes an event holds.
    /// </summary>
    [Fact]
    public void Open_paths_of_every_length_come_back_whole_up_to_255_bytes_and_cut_at_255_past_that()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("tlen");
        var program = Copy("/bin/cat", dir.Path, name);
        // Relative to the program's working folder, one path per length; past 200 bytes in a subfolder (a name holds 255).
        var folder = new string('d', 100);
        Directory.CreateDirectory(Path.Combine(dir.Path, folder));
        var paths = Enumerable.Range(1, 300).Select(length => length <= 200 ? new string('f', length) : $"{folder}/{new string('f', length - folder.Length - 1)}").ToList();
        foreach (var path in paths)
            File.WriteAllText(Path.Combine(dir.Path, path), "");

        using var tracer = new TracerProcess(Tracer(), "--events", "open", "--comm", name, "--duration", "3");
        using (var cat = new BackgroundProgram(program, paths, workingDirectory: dir.Path))
            Assert.Equal(0, cat.WaitForExit().ExitCode);
        var (exitCode, stdout, stderr) = tracer.WaitForExit();

        Assert.Equal(0, exitCode);
        var seen = TracerProcess.JsonLines(stdout).Select(e => e.GetProperty("path").GetString()).ToHashSet();
        Assert.Empty(paths.Select(path => path.Length <= 255 ? path : path[..255]).Where(path => !seen.Contains(path)).Select(path => path.Length));
        Assert.Matches(@"^tracer: \d+ events received, 0 lost$", stderr.Trim());
    }

    /// <summary>
    /// Opens go through the open syscalls' own tracepoints where the kernel has them (this one does), through sys_exit
    /// when TRACER_FILE_HOOK forces it (the path of kernels before 5.15, which VmTest boots); tracefs, mounted for the
    /// attach where it was not, is left as it was found.
    /// </summary>
    [Fact]
    public void Opens_take_the_syscall_tracepoints_or_sys_exit_when_forced_and_tracefs_is_left_as_found()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("tpath");
        var program = Copy("/bin/cat", dir.Path, name);
        var marker = Marker(dir.Path);
        var tracefsMounted = Directory.Exists("/sys/kernel/tracing/events");
        // openat, openat2 and, on x86 alone, open(2) each have a program.
        var syscallPrograms = Arch.Host.Name == "x64" ? 3 : 2;

        foreach (var (forced, programs) in new[] { ("", syscallPrograms), ("syscall", syscallPrograms), ("sys_exit", 1) })
        {
            var environment = forced.Length == 0 ? new Dictionary<string, string>() : new() { ["TRACER_FILE_HOOK"] = forced };
            using var tracer = new TracerProcess(Tracer(), environment, "--events", "open", "--comm", name, "--duration", "2");
            Assert.Equal(programs, tracer.LoadedProgramIds().Count);
            RunToEnd(program, marker);
            var (exitCode, stdout, _) = tracer.WaitForExit();

            Assert.Equal(0, exitCode);
            Assert.Single(TracerProcess.JsonLines(stdout), e => e.GetProperty("path").GetString() == marker);
            Assert.Equal(tracefsMounted, Directory.Exists("/sys/kernel/tracing/events"));
        }
        var bogus = Programs.TryRun(Tracer(), ["monitor", "--duration", "1"], environment: new Dictionary<string, string> { ["TRACER_FILE_HOOK"] = "fentry" });
        Assert.Equal(1, bogus.ExitCode);
        Assert.Equal("tracer: TRACER_FILE_HOOK takes syscall or sys_exit, not 'fentry'", Assert.Single(bogus.Lines));
    }

    [Fact]
    public void Pid_filter_is_exact()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var marker = Marker(dir.Path);
        // The shell waits for a line, then becomes cat with the same pid.
        using var shell = new BackgroundProgram("/bin/sh", ["-c", "read line; exec cat \"$0\"", marker], withInput: true);

        using var tracer = new TracerProcess(Tracer(), "--events", "exec,open", "--pid", shell.Id.ToString(), "--duration", "3");
        RunToEnd("/bin/cat", marker);
        shell.WriteLine("go");
        shell.CloseInput();
        shell.WaitForExit(TimeSpan.FromSeconds(10));
        var (exitCode, stdout, _) = tracer.WaitForExit();

        Assert.Equal(0, exitCode);
        var events = TracerProcess.JsonLines(stdout);
        Assert.All(events, e => Assert.Equal(shell.Id, e.GetProperty("pid").GetInt32()));
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "exec" && e.GetProperty("comm").GetString() == "cat");
        Assert.Single(events, e => e.GetProperty("type").GetString() == "open" && e.GetProperty("path").GetString() == marker);
    }

    /// <summary>
    /// "tracing" is a promise: a workload started the moment it is printed is seen from its first open, each open
    /// either reported or counted as lost. (bench/aot.sh once seemed to break it: it had started its generator early.)
    /// </summary>
    [Fact]
    public void A_workload_started_as_soon_as_tracing_is_printed_has_every_open_reported_or_counted_as_lost()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("tburst");
        var shell = Copy("/bin/bash", dir.Path, name);
        var marker = Marker(dir.Path);
        const int Opens = 20000;

        using var tracer = new TracerProcess(Tracer(), "--events", "open", "--comm", name);
        // ":" is a builtin, so each redirection is an open by the shell itself, one right after another.
        RunToEnd(shell, "-c", $"for ((i = 0; i < {Opens}; i++)); do : < \"$0\"; done", marker);
        tracer.Signal("TERM");
        var (exitCode, stdout, stderr) = tracer.WaitForExit();

        Assert.Equal(0, exitCode);
        var summary = Regex.Match(stderr.Trim(), @"^tracer: \d+ events received, (\d+) lost$");
        Assert.True(summary.Success, stderr);
        var seen = TracerProcess.JsonLines(stdout).Count(e => e.GetProperty("path").GetString() == marker);
        Assert.InRange(Opens - seen, 0, int.Parse(summary.Groups[1].Value));
    }

    [Fact]
    public void Tcp_connects_over_ipv4_and_ipv6_show_both_endpoints()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var v4 = new TcpListener(IPAddress.Loopback, 0);
        using var v6 = new TcpListener(IPAddress.IPv6Loopback, 0);
        v4.Start();
        v6.Start();

        using var tracer = new TracerProcess(Tracer(), "--events", "connect", "--pid", Environment.ProcessId.ToString(), "--duration", "3");
        var v4Client = Connect(v4);
        var v6Client = Connect(v6);
        var (exitCode, stdout, _) = tracer.WaitForExit();

        Assert.Equal(0, exitCode);
        var events = TracerProcess.JsonLines(stdout);
        Assert.All(events, e => Assert.Equal("connect", e.GetProperty("type").GetString()));
        AssertConnect(events, "ipv4", v4Client, v4);
        AssertConnect(events, "ipv6", v6Client, v6);
    }

    [Fact]
    public void Connect_events_take_the_destination_and_result_from_the_call_and_udp_is_not_reported()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        var refusedPort = FreePort();
        using var v4 = new TcpListener(IPAddress.Loopback, 0);
        using var v6 = new TcpListener(IPAddress.IPv6Loopback, 0);
        v4.Start();
        v6.Start();
        using var udpTarget = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udpTarget.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        using var tracer = new TracerProcess(Tracer(), "--events", "connect", "--pid", Environment.ProcessId.ToString(), "--duration", "3");
        using var refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.Equal(SocketError.ConnectionRefused, Assert.Throws<SocketException>(() => refused.Connect(IPAddress.Loopback, refusedPort)).SocketErrorCode);
        using var v4Client = ConnectNonBlocking(v4);
        using var v6Client = ConnectNonBlocking(v6);
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Connect(udpTarget.LocalEndPoint!);
        var (exitCode, stdout, _) = tracer.WaitForExit();

        Assert.Equal(0, exitCode);
        var events = TracerProcess.JsonLines(stdout);
        // The kernel forgets a refused connect's destination (and releases its source port): the call still has it.
        var e = Assert.Single(events, e => e.GetProperty("dport").GetInt32() == refusedPort);
        Assert.Equal("ipv4", e.GetProperty("family").GetString());
        Assert.Equal("127.0.0.1", e.GetProperty("daddr").GetString());
        Assert.Equal(-111, e.GetProperty("result").GetInt32()); // ECONNREFUSED
        AssertConnect(events, "ipv4", v4Client, v4, -115); // EINPROGRESS, with the source port the call assigned
        AssertConnect(events, "ipv6", v6Client, v6, -115);
        Assert.DoesNotContain(events, e => e.GetProperty("dport").GetInt32() == ((IPEndPoint)udpTarget.LocalEndPoint!).Port);
    }

    [Fact]
    public void Connect_takes_the_tracepoint_without_kprobes_and_a_forced_kprobe_path_is_one_error_line()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        Assert.SkipWhen(Directory.Exists(KprobePmu), $"This kernel has kprobes ({KprobePmu}); the VM test covers both paths on such kernels.");

        using (var connect = new TracerProcess(Tracer(), "--events", "connect", "--duration", "1"))
        {
            Assert.Equal(["tracer: connect events via tracepoint"], connect.StartLines);
            Assert.Equal(0, connect.WaitForExit().ExitCode);
        }
        using (var forced = new TracerProcess(Tracer(), new Dictionary<string, string> { ["TRACER_CONNECT_HOOK"] = "tracepoint" }, "--events", "exec,connect", "--duration", "1"))
            Assert.Equal(["tracer: exec events via syscall", "tracer: connect events via tracepoint"], forced.StartLines);
        using (var exec = new TracerProcess(Tracer(), "--events", "exec", "--duration", "1"))
            Assert.Equal(["tracer: exec events via syscall"], exec.StartLines);

        var kprobe = Programs.TryRun(Tracer(), ["monitor", "--duration", "1"], environment: new Dictionary<string, string> { ["TRACER_CONNECT_HOOK"] = "kprobe" });
        var bogus = Programs.TryRun(Tracer(), ["monitor", "--duration", "1"], environment: new Dictionary<string, string> { ["TRACER_CONNECT_HOOK"] = "fentry" });

        Assert.Equal(1, kprobe.ExitCode);
        Assert.Equal($"tracer: TRACER_CONNECT_HOOK=kprobe, but this kernel has no kprobes, {KprobePmu} is missing; unset it to use tracepoint", Assert.Single(kprobe.Lines));
        Assert.Equal(1, bogus.ExitCode);
        Assert.Equal("tracer: TRACER_CONNECT_HOOK takes kprobe or tracepoint, not 'fentry'", Assert.Single(bogus.Lines));
    }

    /// <summary>
    /// This kernel has no kprobes, yet it verifies kprobe programs: the kprobe path loads here and only its attach
    /// fails, which is the failure the tracer falls back from (unless the path was forced).
    /// </summary>
    [Fact]
    public void Kprobe_programs_pass_the_verifier_and_a_failed_attach_falls_back_to_the_tracepoint()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        Assert.SkipWhen(Directory.Exists(KprobePmu), $"This kernel has kprobes ({KprobePmu}), so the kprobes would attach; the VM test covers that.");
        Tracer(); // compiles the object
        var bpfObject = BuildScriptFixture.Artifact($"obj/bpf/{Arch.Host.Name}/tracer.bpf.o");
        var events = new HashSet<EventType> { EventType.Connect };
        var config = new TracerConfig { Events = 1u << (int)EventType.Connect };

        using (var session = BpfSession.Load(events, config, new(ConnectHooks.Set[ConnectHook.Kprobe], "chosen by the test"), () => File.OpenRead(bpfObject)))
        {
            Assert.Equal(ConnectHook.Tracepoint, session.Connect!.Kind);
            Assert.True(session.Connect.FellBack);
            Assert.StartsWith("the kprobe hook failed: could not attach handle_connect_entry: ", session.Connect.Reason);
        }
        var forced = Assert.Throws<TracerException>(() =>
            BpfSession.Load(events, config, new(ConnectHooks.Set[ConnectHook.Kprobe], "forced by the test", Forced: true), () => File.OpenRead(bpfObject)).Dispose());
        // Not "the kernel refused the BPF programs": the verifier accepted them.
        Assert.StartsWith("could not attach handle_connect_entry: ", forced.Message);
    }

    /// <summary>
    /// The tracer asks only for the programs generated from the objects (BpfPrograms in Events.g.cs); one its object
    /// lacks is an error, unless only some arches have it (x64's handle_open_exit_btf: arm64 has no open(2)).
    /// </summary>
    [Theory]
    [InlineData("handle_exec", "exec", "the BPF object has no program 'handle_exec': this tracer was built from a different bpf/ than its object")]
    [InlineData("handle_open_exit_btf", "open", null)]
    public void A_program_the_object_lacks_is_an_error_unless_it_is_arch_specific(string program, string events, string? error)
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        Tracer(); // compiles the object
        var image = File.ReadAllBytes(BuildScriptFixture.Artifact($"obj/bpf/{Arch.Host.Name}/tracer.bpf.o"));
        // Renamed in every string table that holds it (symbols and BTF), so the object is whole but lacks the name.
        var name = System.Text.Encoding.ASCII.GetBytes(program + "\0");
        var renamed = (byte[])name.Clone();
        renamed[^2] = (byte)'X';
        var replaced = 0;
        for (var at = image.AsSpan().IndexOf(name); at >= 0; at = image.AsSpan().IndexOf(name))
        {
            renamed.CopyTo(image, at);
            replaced++;
        }
        // arm64's object has no handle_open_exit_btf to begin with.
        Assert.True(replaced > 0 || BpfPrograms.ArchSpecific.Contains(program), $"{program} is not in the object");
        var wanted = new HashSet<EventType> { events == "exec" ? EventType.Exec : EventType.Open };
        var config = new TracerConfig { Events = wanted.Aggregate(0u, (bits, e) => bits | 1u << (int)e) };

        using var tracefs = Tracefs.MountForAttach();
        BpfSession Load() => BpfSession.Load(wanted, config, null, () => new MemoryStream(image), wanted.Contains(EventType.Open) ? FileHook.Syscall : null);

        if (error is null)
            Load().Dispose();
        else
            Assert.Equal(error, Assert.Throws<TracerException>(Load).Message);
    }

    [Fact]
    public void Doctor_live_connects_are_its_own_events_and_a_concurrent_monitor_sees_them()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var monitor = new TracerProcess(Tracer(), "--events", "connect", "--duration", "4");
        using var doctor = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Tracer(), ["doctor"]) { RedirectStandardOutput = true })!;
        var report = doctor.StandardOutput.ReadToEnd();
        doctor.WaitForExit();
        var (exitCode, stdout, _) = monitor.WaitForExit();

        Assert.True(doctor.ExitCode == 0, report);
        Assert.Contains("pass  file: via syscall (sys_exit_openat and the other file syscalls' tracepoints)", report);
        var live = Regex.Matches(report, @"^pass  live connect: (ipv4|ipv6) (?:127\.0\.0\.1|\[::1\]):(\d+) result (-?\d+) via (?:kprobe|tracepoint)$", RegexOptions.Multiline);
        Assert.Equal(["ipv4", "ipv6"], live.Select(m => m.Groups[1].Value));
        Assert.Equal(0, exitCode);
        var events = TracerProcess.JsonLines(stdout);
        foreach (Match line in live)
        {
            var seen = Assert.Single(events, e => e.GetProperty("pid").GetInt32() == doctor.Id && e.GetProperty("family").GetString() == line.Groups[1].Value);
            Assert.Equal(int.Parse(line.Groups[2].Value), seen.GetProperty("dport").GetInt32());
            Assert.Equal(int.Parse(line.Groups[3].Value), seen.GetProperty("result").GetInt32());
            Assert.Equal("tracer", seen.GetProperty("comm").GetString()); // the connects run on the main thread
        }
    }

    [Fact]
    public void The_tracers_own_activity_is_skipped_unless_include_self()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);

        int OwnEvents(params string[] arguments)
        {
            using var tracer = new TracerProcess(Tracer(), ["--events", "exec,open,connect", "--duration", "1", .. arguments]);
            var (exitCode, stdout, _) = tracer.WaitForExit();
            Assert.Equal(0, exitCode);
            return TracerProcess.JsonLines(stdout).Count(e => e.GetProperty("pid").GetInt32() == tracer.Id);
        }

        // The runtime opens files after the programs are attached (native libraries it resolves on first use).
        Assert.True(OwnEvents("--include-self") > 0, "with --include-self the tracer reports its own opens");
        Assert.Equal(0, OwnEvents());
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    [InlineData("duration")]
    public void Exit_on_signal_or_duration_is_clean_and_leaves_no_program_loaded(string how)
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var tracer = new TracerProcess(Tracer(), ["--events", "exec,open,connect", .. how == "duration" ? new[] { "--duration", "2" } : []]);
        var programs = tracer.LoadedProgramIds();
        // handle_exec and execve and execveat's four, the three open tracepoints' programs (this kernel has them), and for
        // connect handle_net_sys_exit or, where connect goes through kprobes, handle_connect_entry and handle_connect_return.
        Assert.Equal(Directory.Exists(KprobePmu) ? 10 : 9, programs.Count);
        Assert.All(programs, id => Assert.Contains(id, LoadedProgramIds()));

        if (how != "duration")
            tracer.Signal(how);
        var (exitCode, _, stderr) = tracer.WaitForExit();

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^tracer: \d+ events received, 0 lost$", stderr.Trim());
        // The kernel frees programs after an RCU grace period, so give it a moment.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (programs.Intersect(LoadedProgramIds()).Any() && DateTime.UtcNow < deadline)
            Thread.Sleep(100);
        Assert.All(programs, id => Assert.DoesNotContain(id, LoadedProgramIds()));
    }

    [Fact]
    public void Text_format_prints_one_readable_line_per_event()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("ttxt");
        var program = Copy("/bin/true", dir.Path, name);

        using var tracer = new TracerProcess(Tracer(), "--events", "exec", "--comm", name, "--format", "text", "--duration", "2");
        var pid = RunToEnd(program);
        var (exitCode, stdout, _) = tracer.WaitForExit();

        Assert.Equal(0, exitCode);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches($@"^\d\d:\d\d:\d\d\.\d{{6}} exec +{pid} {name} +ppid={Environment.ProcessId} uid=0 {Regex.Escape(program)} \[{Regex.Escape(program)}\]$", line);
    }

    [Fact]
    public void Doctor_passes_every_check_as_root_and_names_the_fix_without_privileges()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "Comparing root with an unprivileged user (setpriv) needs root.");
        var tracer = CopyForEveryone(Tracer(), out var dir);
        using var _ = dir;

        var asRoot = Programs.TryRun(tracer, ["doctor"]);
        var asNobody = AsNobody(tracer, "doctor");

        Assert.Equal(0, asRoot.ExitCode);
        Assert.Equal(["libbpf", "kernel", "BTF", "privileges", "capabilities", "locked memory", "exec", "file", "socket", "connect"],
            asRoot.Lines.Where(l => l.StartsWith("pass  ", StringComparison.Ordinal) && !l.Contains("live connect")).Select(l => l[6..l.IndexOf(':')]));
        // This kernel (5.11 or later) charges BPF maps to the memory cgroup: no locked-memory limit applies.
        Assert.Contains("pass  locked memory: Linux 5.11+ charges BPF maps to the memory cgroup, not RLIMIT_MEMLOCK", asRoot.Lines);
        Assert.Contains(asRoot.Lines, l => Regex.IsMatch(l, @"^pass  live connect: ipv4 127\.0\.0\.1:\d+ result -115 via (kprobe|tracepoint)$"));
        Assert.DoesNotContain(asRoot.Lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.Equal(3, asNobody.ExitCode);
        Assert.Contains("FAIL  privileges: not root and without CAP_BPF and CAP_PERFMON; fix: run as root (sudo), or grant CAP_BPF and CAP_PERFMON", asNobody.Lines);
        // Root here need not have them all (this machine's root lacks CAP_SYS_RESOURCE): as /proc/self/status says.
        var effective = ulong.Parse(File.ReadLines("/proc/self/status").Single(l => l.StartsWith("CapEff:", StringComparison.Ordinal))[7..].Trim(), System.Globalization.NumberStyles.HexNumber);
        var named = new[] { (39, "CAP_BPF"), (38, "CAP_PERFMON"), (24, "CAP_SYS_RESOURCE"), (21, "CAP_SYS_ADMIN") };
        var has = named.Where(c => (effective >> c.Item1 & 1) == 1).Select(c => c.Item2).ToList();
        var lacks = named.Where(c => (effective >> c.Item1 & 1) == 0).Select(c => c.Item2).ToList();
        Assert.Contains($"pass  capabilities: has {string.Join(", ", has)}; lacks {(lacks.Count > 0 ? string.Join(", ", lacks) : "none")}", asRoot.Lines);
        Assert.Contains("pass  capabilities: has none of them; lacks CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE, CAP_SYS_ADMIN", asNobody.Lines);
    }

    [Fact]
    public void Monitor_without_privileges_stops_with_one_line_and_its_exit_code()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "Dropping privileges with setpriv needs root.");
        var tracer = CopyForEveryone(Tracer(), out var dir);
        using var _ = dir;

        var result = AsNobody(tracer, "monitor", "--duration", "1");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("tracer: not root and without CAP_BPF and CAP_PERFMON: run as root (sudo), or grant CAP_BPF and CAP_PERFMON", Assert.Single(result.Lines));
    }

    [Fact]
    public void The_NativeAOT_tracer_uses_its_linked_libbpf_even_beside_a_broken_lib_folder()
    {
        var tracer = CopyForEveryone(Tracer(), out var dir);
        using var _ = dir;
        Directory.CreateDirectory(Path.Combine(dir.Path, "lib"));
        File.WriteAllText(Path.Combine(dir.Path, "lib", "libbpf.so.1"), "not a shared library");

        var doctor = Programs.TryRun(tracer, ["doctor"]);

        Assert.Contains(doctor.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^pass  libbpf: libbpf \d+\.\d+ linked into the tracer$"));
        Assert.DoesNotContain(doctor.Lines, l => l.StartsWith("FAIL  libbpf", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--events", "exec,bogus")]
    [InlineData("--comm", "a-name-longer-than-15")]
    [InlineData("--format", "xml")]
    [InlineData("--duration", "-1")]
    [InlineData("--duration", "abc")]
    [InlineData("--duration", "1e300")]
    [InlineData("--pid", "0")]
    [InlineData("--pid", "abc")]
    [InlineData("--pid", "-1")]
    [InlineData("--pid", "4294967296")]
    [InlineData("--interval", "0")]
    public void Bad_input_gives_one_error_line_and_exit_code_2(string option, string value)
    {
        var result = Programs.TryRun(Tracer(), ["monitor", option, value]);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Lines);
        Assert.StartsWith("tracer: ", line);
        Assert.Contains(option, line);
    }

    [Fact]
    public void An_argument_that_is_not_UTF_8_gives_one_error_line_and_exit_code_2()
    {
        // .NET cannot pass such bytes itself: the shell does.
        var result = Programs.TryRun("bash", ["-c", "\"$0\" monitor --comm $'\\xff'", Tracer()]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("tracer: argument '\uFFFD' is not valid UTF-8", Assert.Single(result.Lines));
    }

    [Fact]
    public void A_full_stdout_ends_the_run_at_once_with_one_line_and_no_program_left()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);

        // The tracer's own start-up opens files, so with --include-self events come at once.
        var result = Programs.TryRun("timeout", ["20", "bash", "-c", "\"$0\" monitor --events exec,open --include-self > /dev/full", Tracer()]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([.. HookLines, "tracer: tracing exec,open events; Ctrl-C to stop", "tracer: cannot write events to stdout: No space left on device"], result.Lines);
        AssertNoOrphanedTracerPrograms();
    }

    [Fact]
    public void A_closed_stdout_ends_the_run_at_once_quietly_with_exit_code_141_and_no_program_left()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        var tracer = Tracer(); // before the clock starts: the first test to ask for it publishes it
        var started = System.Diagnostics.Stopwatch.StartNew();

        // head reads one line and exits; the tracer must notice and end, not trace on for ever.
        var result = Programs.TryRun("timeout", ["20", "bash", "-c", "\"$0\" monitor --events exec,open --include-self | head -1 > /dev/null; echo \"exit ${PIPESTATUS[0]}\"", tracer]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal([.. HookLines, "tracer: tracing exec,open events; Ctrl-C to stop", "exit 141"], result.Lines);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
        AssertNoOrphanedTracerPrograms();
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public void A_signal_ends_the_run_within_a_second_while_stdout_is_blocked_and_no_program_is_left(string signal)
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        // stdout is a pipe this test never reads: once it is full, every write blocks. A non-interactive shell's
        // background child would inherit SIGINT ignored, so both signals get their default handling back.
        using var tracer = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("env", ["--default-signal=INT,TERM", Tracer(), "monitor", "--events", "open"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            Assert.Equal("tracer: file events via syscall", tracer.StandardError.ReadLine());
            Assert.StartsWith("tracer: tracing", tracer.StandardError.ReadLine());
            var programs = TracerProcess.ProgramsHeldBy(tracer.Id);
            Assert.Equal(3, programs.Count); // the three open tracepoints' programs
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!File.ReadAllText($"/proc/{tracer.Id}/wchan").Contains("pipe_write", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "stdout never filled up");
                for (var i = 0; i < 1000; i++)
                    File.OpenRead("/etc/hostname").Dispose(); // events the tracer must write
                Thread.Sleep(50);
            }

            var stopping = System.Diagnostics.Stopwatch.StartNew();
            Programs.Run("kill", [$"-{signal}", tracer.Id.ToString()], echo: false);
            Assert.True(tracer.WaitForExit(TimeSpan.FromSeconds(5)), "the tracer did not end after the signal");
            stopping.Stop();

            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(1), $"took {stopping.Elapsed}");
            Assert.Equal(1, tracer.ExitCode);
            Assert.Equal("tracer: stdout is not being read; stopped without writing the events still pending", tracer.StandardError.ReadToEnd().Trim());
            AssertGone(programs);
        }
        finally
        {
            if (!tracer.HasExited)
                tracer.Kill();
        }
    }

    /// <summary>The kernel frees programs after an RCU grace period, so it is given a moment.</summary>
    private static void AssertGone(IReadOnlyCollection<int> programs)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (programs.Intersect(LoadedProgramIds()).Any() && DateTime.UtcNow < deadline)
            Thread.Sleep(100);
        Assert.All(programs, id => Assert.DoesNotContain(id, LoadedProgramIds()));
    }

    /// <summary>
    /// Every tracer program still loaded is held by a live process: another test's tracer, or another user's. One that
    /// nobody holds would be a program the ended tracer left behind. (The kernel frees programs after an RCU grace
    /// period, so it is given a moment.)
    /// </summary>
    private static void AssertNoOrphanedTracerPrograms()
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        List<int> orphans;
        while ((orphans = OrphanedTracerPrograms()).Count > 0 && DateTime.UtcNow < deadline)
            Thread.Sleep(100);
        Assert.Empty(orphans);
    }

    private static List<int> OrphanedTracerPrograms()
    {
        var show = Programs.Run("bpftool", ["-j", "prog", "show"], echo: false);
        var loaded = JsonDocument.Parse(show.Output).RootElement.EnumerateArray()
            .Where(p => p.TryGetProperty("name", out var name) && name.GetString()!.StartsWith("handle_", StringComparison.Ordinal))
            .Select(p => p.GetProperty("id").GetInt32())
            .ToList();
        var held = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsAsciiDigit))
            .SelectMany(pid => { try { return TracerProcess.ProgramsHeldBy(int.Parse(pid!)); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; } })
            .ToHashSet();
        return [.. loaded.Where(id => !held.Contains(id))];
    }

    private const string KprobePmu = "/sys/bus/event_source/devices/kprobe";

    /// <summary>What monitor --events exec,open says first on this kernel: the hook each capability took.</summary>
    private static readonly string[] HookLines = ["tracer: exec events via syscall", "tracer: file events via syscall"];

    private static void AssertConnect(List<JsonElement> events, string family, Socket client, TcpListener listener, int result = 0)
    {
        var local = (IPEndPoint)client.LocalEndPoint!;
        var remote = (IPEndPoint)listener.LocalEndpoint;
        var e = Assert.Single(events, e => e.GetProperty("family").GetString() == family && e.GetProperty("dport").GetInt32() == remote.Port);
        Assert.Equal(remote.Address.ToString(), e.GetProperty("daddr").GetString());
        Assert.Equal(local.Address.ToString(), e.GetProperty("saddr").GetString());
        Assert.NotEqual(0, local.Port);
        Assert.Equal(local.Port, e.GetProperty("sport").GetInt32());
        Assert.Equal(result, e.GetProperty("result").GetInt32());
        Assert.Equal(Environment.ProcessId, e.GetProperty("pid").GetInt32());
        AssertTimestamp(e);
    }

    private static Socket Connect(TcpListener listener)
    {
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        var client = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(endpoint);
        listener.AcceptSocket().Dispose();
        return client;
    }

    /// <summary>A non-blocking connect, left in progress (EINPROGRESS) as the call returns.</summary>
    private static Socket ConnectNonBlocking(TcpListener listener)
    {
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        var client = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        var error = Assert.Throws<SocketException>(() => client.Connect(endpoint));
        Assert.Contains(error.SocketErrorCode, new[] { SocketError.WouldBlock, SocketError.InProgress });
        return client;
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void AssertTimestamp(JsonElement e)
    {
        var ts = e.GetProperty("ts").GetString()!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", ts);
        var time = DateTime.Parse(ts, null, System.Globalization.DateTimeStyles.RoundtripKind);
        Assert.InRange(time, DateTime.UtcNow.AddSeconds(-30), DateTime.UtcNow.AddSeconds(1));
    }

    /// <summary>Runs a program to its end and returns its pid.</summary>
    private static int RunToEnd(string program, params string[] arguments)
    {
        using var process = new BackgroundProgram(program, arguments);
        process.WaitForExit();
        return process.Id;
    }

    /// <summary>A comm for one test's program copy: the pid keeps concurrent runs apart, and it stays well inside comm's 15 characters.</summary>
    private static string UniqueComm(string prefix) => $"{prefix}{Environment.ProcessId % 100000}";

    /// <summary>A small file for a traced program to open: marker.txt in <paramref name="directory"/>.</summary>
    private static string Marker(string directory)
    {
        var marker = Path.Combine(directory, "marker.txt");
        File.WriteAllText(marker, "hello");
        return marker;
    }

    /// <summary>A copy of a program under another name: the kernel names the process (comm) after the file.</summary>
    private static string Copy(string program, string directory, string name)
    {
        var copy = Path.Combine(directory, name);
        File.Copy(program, copy);
        File.SetUnixFileMode(copy, TarballEntry.Executable);
        return copy;
    }

    /// <summary>The tracer in a folder user nobody can reach (artifacts/ may not be).</summary>
    private static string CopyForEveryone(string tracer, out TempDirectory dir)
    {
        dir = new TempDirectory();
        File.SetUnixFileMode(dir.Path, TarballEntry.Executable);
        return Copy(tracer, dir.Path, "tracer");
    }

    private static ProcessResult AsNobody(string tracer, params string[] arguments) =>
        Programs.TryRun("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", tracer, .. arguments]);

    /// <summary>Ids of all BPF programs loaded in the kernel.</summary>
    private static List<int> LoadedProgramIds()
    {
        var show = Programs.Run("bpftool", ["-j", "prog", "show"], echo: false);
        return [.. JsonDocument.Parse(show.Output).RootElement.EnumerateArray().Select(p => p.GetProperty("id").GetInt32())];
    }
}
