using TracerBuild.Vm;

namespace TracerBuild.Tests;

/// <summary>
/// The VM test's checker against a real console: arm64 Debian 12 (6.1) booted by VmTest with the fixed tracer
/// (Build/Vm/arm64-bookworm.console), and that console with the faults VmTest exists to catch written into it.
/// </summary>
public sealed class VmScenarioTests
{
    private const string Version = "tracer 0.1.0-dev.79+54a22e4 linux-arm64";
    private static readonly string Console = File.ReadAllText(Path.Combine(Repository.Root, "tests", "Build.Tests", "Build", "Vm", "arm64-bookworm.console"));

    [Fact]
    public void The_recorded_run_passes_with_every_event_explained()
    {
        var outcome = VmScenario.Check(Console, Version);

        Assert.Empty(outcome.Failures);
        Assert.Equal("6.1.0-50-cloud-arm64", outcome.KernelRelease);
        Assert.Equal("kprobe", outcome.ConnectHook);
        Assert.Equal("?", outcome.OpenHook); // recorded before doctor named it
        Assert.Equal(281, outcome.EventsChecked);
    }

    [Fact]
    public void The_open_path_is_the_one_doctor_names()
    {
        var console = AfterLine(Console, "pass  connect: via kprobe (on inet_stream_connect)",
            "pass  open: via syscall (sys_exit_openat and the other open syscalls' tracepoints)");

        var outcome = VmScenario.Check(console, Version);
        Assert.Empty(outcome.Failures);
        Assert.Equal("syscall", outcome.OpenHook);
    }

    [Fact]
    public void A_bogus_open_from_a_signal_return_fails_the_run()
    {
        // What the arm64 tracer reported when it took rt_sigreturn (syscall id -1) for open: pid 1 waiting in the shell.
        var console = AfterLine(Console, "@@vmtest begin events-default",
            """{"ts":"2026-12-01T18:40:02.417117Z","type":"open","pid":1,"comm":"init","path":"","flags":8,"result":-4}""");

        var failures = VmScenario.Check(console, Version).Failures;
        Assert.Contains(failures, f => f.StartsWith("default: unexplained event of a process the test did not start: ", StringComparison.Ordinal));
        Assert.Contains("default: the monitor says 'tracer: 144 events received, 0 lost' but printed 145 events", failures);
    }

    [Fact]
    public void A_refused_connect_without_its_destination_port_fails_the_run()
    {
        var console = Console.Replace("\"daddr\":\"127.0.0.1\",\"dport\":8081,\"result\":-111", "\"daddr\":\"127.0.0.1\",\"dport\":0,\"result\":-111");

        var failures = VmScenario.Check(console, Version).Failures;
        Assert.Contains(failures, f => f.StartsWith("default: unexplained event of default:refused4:127.0.0.1:8081: ", StringComparison.Ordinal));
        Assert.Contains("default: default:refused4:127.0.0.1:8081 (pid 125): no ipv4 connect to 127.0.0.1 port 8081 with result -111", failures);
    }

    [Fact]
    public void The_tracers_own_activity_fails_the_run()
    {
        var monitorPid = Console.Split('\n').Single(l => l.StartsWith("@@vmtest pid monitor-default ", StringComparison.Ordinal)).Split(' ')[3].Trim();
        var console = AfterLine(Console, "@@vmtest begin events-default",
            $$"""{"ts":"2026-12-01T18:40:00.009565Z","type":"open","pid":{{monitorPid}},"comm":"tracer","path":"/proc/self/maps","flags":0,"result":36}""");

        Assert.Contains(VmScenario.Check(console, Version).Failures, f => f.StartsWith("default: unexplained event of monitor-default: ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_that_never_powered_off_and_a_wrong_version_fail()
    {
        var cut = Console[..Console.IndexOf("@@vmtest exit monitor-tracepoint", StringComparison.Ordinal)];

        var failures = VmScenario.Check(cut, "tracer 9.9.9 linux-arm64").Failures;
        Assert.Contains(failures, f => f.StartsWith("the VM did not finish its script", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("tracer --version: expected 'tracer 9.9.9 linux-arm64'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("tracepoint: no 'events received' line", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("tracepoint: tracer monitor exited with -1 ", StringComparison.Ordinal));
    }

    private static string AfterLine(string text, string line, string inserted) =>
        text.Replace(line + "\n", line + "\n" + inserted + "\n");
}
