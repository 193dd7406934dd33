using TracerBuild.Vm;

namespace TracerBuild.Tests;

/// <summary>
/// The VM test's checker against a real console: arm64 Debian 12 (6.1, its own userland) booted by VmTest
/// (Build/Vm/arm64-bookworm.console), and that console with the faults VmTest exists to catch written into it.
/// </summary>
public sealed class VmScenarioTests
{
    private const string Version = "tracer 0.1.0-dev.226+a088055 linux-arm64";
    private static readonly string Console = File.ReadAllText(Path.Combine(Repository.Root, "tests", "Build.Tests", "Build", "Vm", "arm64-bookworm.console"));

    [Fact]
    public void The_recorded_run_passes_with_every_event_explained()
    {
        var outcome = VmScenario.Check(Console, Version);

        Assert.Empty(outcome.Failures);
        Assert.Equal("6.1.0-50-cloud-arm64", outcome.KernelRelease);
        Assert.Equal("2.36", outcome.Glibc);
        // Without root the kprobe hook was refused (Permission denied) and the tracer fell back, events intact.
        // tracefs is root's: there the syscall tracepoints cannot be attached either, and sys_exit catches those calls.
        // With the kernel's BTF hidden, file and socket cannot read registers at their syscalls' tracepoints.
        Assert.Equal("connect=kprobe exec=syscall file=syscall module=syscall socket=syscall (nonroot: connect=tracepoint exec=sys_exit file=sys_exit module=sys_exit socket=sys_exit) (nobtf: file=sys_exit socket=sys_exit)", outcome.Hooks);
        Assert.Equal(794, outcome.EventsChecked);
    }

    [Fact]
    public void A_round_without_kernel_btf_that_does_not_say_it_runs_on_the_carried_btf_fails_the_run()
    {
        var console = Console.Replace("@@vmtest stderr nobtf tracer: BTF: carried for 6.1.0-50-cloud-arm64", "@@vmtest stderr nobtf tracer: BTF: from /tmp/x");

        Assert.Equal("nobtf: the monitor did not say 'tracer: BTF: carried for 6.1.0-50-cloud-arm64'", Assert.Single(VmScenario.Check(console, Version).Failures));
    }

    [Fact]
    public void A_kernel_without_carried_btf_must_stop_with_exit_4_and_one_line()
    {
        var console = Console.Replace("@@vmtest end nobtf-unknown 4", "@@vmtest end nobtf-unknown 0");

        Assert.StartsWith("nobtf-unknown: expected exit 4 and one line", Assert.Single(VmScenario.Check(console, Version).Failures));
    }

    [Fact]
    public void A_hook_other_than_the_forced_one_fails_the_run()
    {
        var console = Console.Replace("@@vmtest stderr tracepoint tracer: file events via sys_exit", "@@vmtest stderr tracepoint tracer: file events via syscall");

        Assert.Equal("tracepoint: the tracer took the syscall hook for file where the sys_exit one was forced", Assert.Single(VmScenario.Check(console, Version).Failures));
    }

    [Fact]
    public void A_C_library_that_does_not_say_its_version_fails_the_run()
    {
        var console = string.Join('\n', Console.Split('\n').Where(l => !l.StartsWith("@@vmtest glibc ", StringComparison.Ordinal)));

        var outcome = VmScenario.Check(console, Version);
        Assert.Equal("?", outcome.Glibc);
        Assert.Equal(["the VM's C library did not say its version"], outcome.Failures);
    }

    [Fact]
    public void Without_capabilities_the_tracer_must_stop_with_exit_3_in_one_line()
    {
        var console = Console.Replace("@@vmtest end nocaps 3", "@@vmtest end nocaps 0");

        var failure = Assert.Single(VmScenario.Check(console, Version).Failures);
        Assert.StartsWith($"nocaps: expected exit 3 and the one line '{VmScenario.NoCapabilitiesLine}', got exit 0", failure);
    }

    [Fact]
    public void Before_5_11_two_capabilities_must_stop_naming_the_locked_memory_limit()
    {
        // The same console read as if from a 5.10 kernel: there CAP_BPF and CAP_PERFMON alone must not be enough.
        var console = Console.Replace("6.1.0-50-cloud-arm64", "5.10.0-32-cloud-arm64");

        var failure = Assert.Single(VmScenario.Check(console, Version).Failures);
        Assert.StartsWith("twocaps: before 5.11 CAP_BPF and CAP_PERFMON alone must stop in one line naming RLIMIT_MEMLOCK and CAP_SYS_RESOURCE with exit 3, got exit 0", failure);
    }

    [Fact]
    public void Doctor_without_the_documented_capabilities_fails_the_run()
    {
        var console = Console.Replace("pass  capabilities: has CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE; lacks CAP_SYS_ADMIN", "pass  capabilities: has CAP_BPF, CAP_PERFMON; lacks CAP_SYS_RESOURCE, CAP_SYS_ADMIN");

        Assert.StartsWith("nonroot: doctor as uid 65534 with the documented capabilities", Assert.Single(VmScenario.Check(console, Version).Failures));
    }

    [Fact]
    public void A_bogus_open_from_a_signal_return_fails_the_run()
    {
        // What the arm64 tracer reported when it took rt_sigreturn (syscall id -1) for open: pid 1 waiting in the shell.
        var console = AfterLine(Console, "@@vmtest begin events-default",
            """{"ts":"2026-12-01T18:40:02.417117Z","type":"open","pid":1,"comm":"init","path":"","flags":8,"result":-4}""");

        var failures = VmScenario.Check(console, Version).Failures;
        Assert.Contains(failures, f => f.StartsWith("default: unexplained event of a process the test did not start: ", StringComparison.Ordinal));
        Assert.Contains("default: the monitor says 'tracer: 193 events received, 0 lost' but printed 194 events", failures);
    }

    [Fact]
    public void A_refused_connect_without_its_destination_port_fails_the_run()
    {
        var console = Console.Replace("\"daddr\":\"127.0.0.1\",\"dport\":8081,\"result\":-111", "\"daddr\":\"127.0.0.1\",\"dport\":0,\"result\":-111");

        var failures = VmScenario.Check(console, Version).Failures;
        Assert.Contains(failures, f => f.StartsWith("default: unexplained event of default:refused4:127.0.0.1:8081: ", StringComparison.Ordinal));
        Assert.Contains("default: default:refused4:127.0.0.1:8081 (pid 147): no ipv4 connect to 127.0.0.1 port 8081 with result -111", failures);
    }

    [Fact]
    public void A_dns_response_decoded_with_another_answer_fails_the_run()
    {
        // Both the client's received response and the server's sent one, in every round.
        var console = Console.Replace("\"ttl\":300,\"data\":\"93.184.216.34\"", "\"ttl\":300,\"data\":\"93.184.216.35\"");

        var failures = VmScenario.Check(console, Version).Failures;
        Assert.Contains(failures, f => f.Contains("no DNS response for example.com A, received (45 bytes)", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("no DNS response for example.com A, sent (45 bytes)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_udp_flow_a_byte_short_fails_the_run()
    {
        var console = Console.Replace("\"sport\":8085,\"daddr\":\"127.0.0.1\",\"dport\":45390,\"datagrams_sent\":2,\"bytes_sent\":400",
            "\"sport\":8085,\"daddr\":\"127.0.0.1\",\"dport\":45390,\"datagrams_sent\":2,\"bytes_sent\":399");

        var failures = VmScenario.Check(console, Version).Failures;
        Assert.Contains(failures, f => f.StartsWith("default: unexplained event of default:udpserve4:127.0.0.1:8085: ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("no ipv4 udp flow (on port 8085): 2 datagrams of 400 bytes sent, 2 of 400 received, at close", StringComparison.Ordinal));
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
