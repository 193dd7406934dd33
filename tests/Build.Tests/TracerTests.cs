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

        var asRoot = Programs.TryRun(tracer, ["doctor"]);
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

        var doctor = Programs.TryRun(tracer, ["doctor"]);
        var monitor = Programs.TryRun(tracer, ["monitor", "--duration", "1"]);

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
    [InlineData("--pid", "0")]
    public void Bad_input_gives_one_error_line_and_exit_code_1(string option, string value)
    {
        var result = Programs.TryRun(Tracer(), ["monitor", option, value]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Lines);
        Assert.StartsWith("tracer: ", line);
        Assert.Contains(option, line);
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
        using var process = new BackgroundProgram(program, arguments);
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
        Programs.TryRun("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", tracer, .. arguments]);

    /// <summary>Ids of all BPF programs loaded in the kernel.</summary>
    private static List<int> LoadedProgramIds()
    {
        var show = Programs.Run("bpftool", ["-j", "prog", "show"], echo: false);
        return [.. JsonDocument.Parse(show.Output).RootElement.EnumerateArray().Select(p => p.GetProperty("id").GetInt32())];
    }
}
