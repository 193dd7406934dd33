using System.Text.Json;

namespace TracerBuild.Tests;

/// <summary>
/// The program set for kernels without BTF, on this kernel: a BTF file given (its own, /sys/kernel/btf/vmlinux) makes
/// the tracer relocate against it and load only the programs that need no kernel BTF (raw tracepoints, no tp_btf).
/// </summary>
public sealed partial class TracerTests
{
    private const string KernelBtf = "/sys/kernel/btf/vmlinux";

    [Fact]
    public void Given_a_btf_file_only_programs_that_need_no_kernel_btf_load_and_every_capability_still_reports()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("tnobtf");
        // bash's builtins open, write, read and connect (/dev/tcp, /dev/udp) in the process itself, under its own name.
        var shell = Copy("/bin/bash", dir.Path, name);
        var file = Path.Combine(dir.Path, "data");
        var script = $"echo hello > {file}; read line < {file}; echo abc > /dev/udp/127.0.0.1/9; (echo > /dev/tcp/127.0.0.1/1) 2>/dev/null; {dir.Path}/missing 2>/dev/null; true";
        // sys_exit for every capability caught at syscall exit: each one's raw-tracepoint twin.
        var environment = new Dictionary<string, string>
        {
            ["TRACER_BTF"] = KernelBtf, ["TRACER_EXEC_HOOK"] = "sys_exit", ["TRACER_FILE_HOOK"] = "sys_exit",
            ["TRACER_SOCKET_HOOK"] = "sys_exit", ["TRACER_CONNECT_HOOK"] = "tracepoint",
        };

        using var tracer = new TracerProcess(Tracer(), environment, "--events", "exec,open,file_io,connect,udp", "--comm", name, "--duration", "3");
        var types = tracer.LoadedProgramIds().Select(ProgramType).ToList();
        RunToEnd(shell, "-c", script);
        var (exitCode, stdout, _) = tracer.WaitForExit();
        var events = TracerProcess.JsonLines(stdout);

        Assert.Equal(0, exitCode);
        Assert.Contains($"tracer: BTF: from {KernelBtf} ", string.Join('\n', tracer.StartLines));
        // sched_process_exec and sys_exit's twins on raw tracepoints; none on a BTF tracepoint ("tracing").
        Assert.NotEmpty(types);
        Assert.All(types, type => Assert.Equal("raw_tracepoint", type));
        Assert.Contains(events, e => Is(e, "exec") && e.GetProperty("filename").GetString() == shell && e.GetProperty("result").GetInt32() == 0);
        Assert.Contains(events, e => Is(e, "exec") && e.GetProperty("filename").GetString() == $"{dir.Path}/missing" && e.GetProperty("result").GetInt32() == -2);
        Assert.Contains(events, e => Is(e, "open") && e.GetProperty("path").GetString() == file);
        var written = Assert.Single(events, e => Is(e, "file_io") && e.GetProperty("path").GetString() == file && e.GetProperty("writes").GetInt32() > 0);
        Assert.Equal((1, 6), (written.GetProperty("writes").GetInt32(), written.GetProperty("write_bytes").GetInt32()));
        var read = Assert.Single(events, e => Is(e, "file_io") && e.GetProperty("path").GetString() == file && e.GetProperty("reads").GetInt32() > 0);
        Assert.Equal(6, read.GetProperty("read_bytes").GetInt32());
        Assert.Contains(events, e => Is(e, "connect") && e.GetProperty("dport").GetInt32() == 1 && e.GetProperty("result").GetInt32() == -111);
        var udp = Assert.Single(events, e => Is(e, "udp") && e.GetProperty("dport").GetInt32() == 9);
        Assert.Equal((1, 4), (udp.GetProperty("datagrams_sent").GetInt32(), udp.GetProperty("bytes_sent").GetInt32()));
    }

    [Theory]
    [InlineData("/nonexistent/vmlinux", "no such file: /nonexistent/vmlinux")]
    [InlineData("/etc/hostname", "/etc/hostname is not BTF")]
    public void A_btf_file_that_is_missing_or_not_btf_is_one_line_and_exit_code_2(string file, string says)
    {
        foreach (var given in new[] { new { Arguments = new[] { "monitor", "--btf", file }, Environment = new Dictionary<string, string>() },
                     new { Arguments = new[] { "doctor" }, Environment = new Dictionary<string, string> { ["TRACER_BTF"] = file } } })
        {
            var run = Programs.TryRun(Tracer(), given.Arguments, environment: given.Environment);
            Assert.Equal(2, run.ExitCode);
            Assert.Contains(run.Lines, line => line.Contains(says));
        }
    }

    private static bool Is(JsonElement e, string type) => e.GetProperty("type").GetString() == type;

    /// <summary>A loaded program's type as bpftool names it (tracepoint, raw_tracepoint, tracing, kprobe).</summary>
    private static string ProgramType(int id) =>
        JsonDocument.Parse(Programs.Run("bpftool", ["-j", "prog", "show", "id", id.ToString()], echo: false).Output).RootElement.GetProperty("type").GetString()!;
}
