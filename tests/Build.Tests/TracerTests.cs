using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

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
        var name = $"tcat{Environment.ProcessId % 100000}";
        var program = Copy("/bin/cat", dir.Path, name);
        var longerName = Copy("/bin/cat", dir.Path, name + "x");
        var marker = Path.Combine(dir.Path, "marker.txt");
        File.WriteAllText(marker, "hello");

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
        var name = $"tglob{Environment.ProcessId % 100000}";
        var program = Copy("/bin/cat", dir.Path, name);
        var marker = Path.Combine(dir.Path, "marker.txt");
        var other = Path.Combine(dir.Path, "other.txt");
        File.WriteAllText(marker, "hello");
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

    [Fact]
    public void Pid_filter_is_exact()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var marker = Path.Combine(dir.Path, "marker.txt");
        File.WriteAllText(marker, "hello");
        // The shell waits for a line, then becomes cat with the same pid.
        using var shell = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", "read line; exec cat \"$0\"", marker])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;

        using var tracer = new TracerProcess(Tracer(), "--events", "exec,open", "--pid", shell.Id.ToString(), "--duration", "3");
        RunToEnd("/bin/cat", marker);
        shell.StandardInput.WriteLine("go");
        shell.StandardInput.Close();
        Assert.True(shell.WaitForExit(TimeSpan.FromSeconds(10)));
        var (exitCode, stdout, _) = tracer.WaitForExit();

        Assert.Equal(0, exitCode);
        var events = TracerProcess.JsonLines(stdout);
        Assert.All(events, e => Assert.Equal(shell.Id, e.GetProperty("pid").GetInt32()));
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "exec" && e.GetProperty("comm").GetString() == "cat");
        Assert.Single(events, e => e.GetProperty("type").GetString() == "open" && e.GetProperty("path").GetString() == marker);
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

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    [InlineData("duration")]
    public void Exit_on_signal_or_duration_is_clean_and_leaves_no_program_loaded(string how)
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var tracer = new TracerProcess(Tracer(), how == "duration" ? ["--duration", "2"] : []);
        var programs = tracer.LoadedProgramIds();
        Assert.Equal(2, programs.Count); // handle_exec and handle_sys_exit
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
        var name = $"ttxt{Environment.ProcessId % 100000}";
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

        var asRoot = ProcessRunner.TryRun(tracer, ["doctor"]);
        var asNobody = AsNobody(tracer, "doctor");

        Assert.Equal(0, asRoot.ExitCode);
        Assert.Equal(4, asRoot.Lines.Count(l => l.StartsWith("pass  ", StringComparison.Ordinal)));
        Assert.Equal(3, asNobody.ExitCode);
        Assert.Contains("FAIL  privileges: not root and without CAP_BPF and CAP_PERFMON; fix: run as root (sudo), or grant CAP_BPF and CAP_PERFMON", asNobody.Lines);
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
    public void Libbpf_that_cannot_be_loaded_is_reported_by_doctor_and_monitor_with_exit_code_6()
    {
        var tracer = CopyForEveryone(Tracer(), out var dir);
        using var _ = dir;
        // lib/ beside the executable comes first, so a broken one there is what the tracer tries to load.
        Directory.CreateDirectory(Path.Combine(dir.Path, "lib"));
        File.WriteAllText(Path.Combine(dir.Path, "lib", "libbpf.so.1"), "not a shared library");

        var doctor = ProcessRunner.TryRun(tracer, ["doctor"]);
        var monitor = ProcessRunner.TryRun(tracer, ["monitor", "--duration", "1"]);

        Assert.Equal(6, doctor.ExitCode);
        Assert.Contains(doctor.Lines, l => l.StartsWith("FAIL  libbpf: libbpf.so.1 could not be loaded from ", StringComparison.Ordinal) && l.Contains("fix: install libbpf1"));
        Assert.Equal(6, monitor.ExitCode);
        Assert.StartsWith("tracer: libbpf.so.1 could not be loaded from ", Assert.Single(monitor.Lines));
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
    public void Bad_input_gives_one_error_line_and_exit_code_2(string option, string value)
    {
        var result = ProcessRunner.TryRun(Tracer(), ["monitor", option, value]);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Lines);
        Assert.StartsWith("tracer: ", line);
        Assert.Contains(option, line);
    }

    [Fact]
    public void An_argument_that_is_not_UTF_8_gives_one_error_line_and_exit_code_2()
    {
        // .NET cannot pass such bytes itself: the shell does.
        var result = ProcessRunner.TryRun("bash", ["-c", "\"$0\" monitor --comm $'\\xff'", Tracer()]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("tracer: argument '\uFFFD' is not valid UTF-8", Assert.Single(result.Lines));
    }

    [Fact]
    public void A_full_stdout_ends_the_run_at_once_with_one_line_and_no_program_left()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);

        // The tracer's own start-up opens files, so events come at once.
        var result = ProcessRunner.TryRun("timeout", ["20", "bash", "-c", "\"$0\" monitor > /dev/full", Tracer()]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["tracer: tracing exec,open,connect events; Ctrl-C to stop", "tracer: cannot write events to stdout: No space left on device"], result.Lines);
        AssertNoOrphanedTracerPrograms();
    }

    [Fact]
    public void A_closed_stdout_ends_the_run_at_once_quietly_with_exit_code_141_and_no_program_left()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        var started = System.Diagnostics.Stopwatch.StartNew();

        // head reads one line and exits; the tracer must notice and end, not trace on for ever.
        var result = ProcessRunner.TryRun("timeout", ["20", "bash", "-c", "\"$0\" monitor | head -1 > /dev/null; echo \"exit ${PIPESTATUS[0]}\"", Tracer()]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["tracer: tracing exec,open,connect events; Ctrl-C to stop", "exit 141"], result.Lines);
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
        using var tracer = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("env", ["--default-signal=INT,TERM", Tracer(), "monitor"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            Assert.StartsWith("tracer: tracing", tracer.StandardError.ReadLine());
            var programs = TracerProcess.ProgramsHeldBy(tracer.Id);
            Assert.Equal(2, programs.Count);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!File.ReadAllText($"/proc/{tracer.Id}/wchan").Contains("pipe_write", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "stdout never filled up");
                for (var i = 0; i < 1000; i++)
                    File.Exists("/etc/hostname"); // events the tracer must write
                Thread.Sleep(50);
            }

            var stopping = System.Diagnostics.Stopwatch.StartNew();
            ProcessRunner.Run("kill", [$"-{signal}", tracer.Id.ToString()], echo: false);
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
        var show = ProcessRunner.Run("bpftool", ["-j", "prog", "show"], echo: false);
        var loaded = JsonDocument.Parse(show.Output).RootElement.EnumerateArray()
            .Where(p => p.TryGetProperty("name", out var name) && name.GetString() is "handle_exec" or "handle_sys_exit")
            .Select(p => p.GetProperty("id").GetInt32())
            .ToList();
        var held = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsAsciiDigit))
            .SelectMany(pid => { try { return TracerProcess.ProgramsHeldBy(int.Parse(pid!)); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; } })
            .ToHashSet();
        return [.. loaded.Where(id => !held.Contains(id))];
    }


    private static void AssertConnect(List<JsonElement> events, string family, Socket client, TcpListener listener)
    {
        var local = (IPEndPoint)client.LocalEndPoint!;
        var remote = (IPEndPoint)listener.LocalEndpoint;
        var e = Assert.Single(events, e => e.GetProperty("family").GetString() == family);
        Assert.Equal(remote.Address.ToString(), e.GetProperty("daddr").GetString());
        Assert.Equal(remote.Port, e.GetProperty("dport").GetInt32());
        Assert.Equal(local.Address.ToString(), e.GetProperty("saddr").GetString());
        Assert.Equal(local.Port, e.GetProperty("sport").GetInt32());
        Assert.Equal(0, e.GetProperty("result").GetInt32());
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
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, arguments) { RedirectStandardOutput = true })!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.Id;
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
        ProcessRunner.TryRun("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", tracer, .. arguments]);

    /// <summary>Ids of all BPF programs loaded in the kernel.</summary>
    private static List<int> LoadedProgramIds()
    {
        var show = ProcessRunner.Run("bpftool", ["-j", "prog", "show"], echo: false);
        return [.. JsonDocument.Parse(show.Output).RootElement.EnumerateArray().Select(p => p.GetProperty("id").GetInt32())];
    }
}
