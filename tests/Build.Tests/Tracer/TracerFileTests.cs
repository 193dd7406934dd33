using System.Text.Json;

namespace TracerBuild.Tests;

/// <summary>File events on the real kernel: unlinks with their results, and reads and writes counted per file in the kernel.</summary>
public sealed partial class TracerTests
{
    [Fact]
    public void Rm_and_rmdir_are_reported_with_the_path_and_result()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("trm");
        var rm = Copy("/bin/rm", dir.Path, name);
        var file = Path.Combine(dir.Path, "file.txt");
        File.WriteAllText(file, "x");
        var folder = Path.Combine(dir.Path, "folder");
        Directory.CreateDirectory(folder);
        var missing = Path.Combine(dir.Path, "missing");

        using var tracer = new TracerProcess(Tracer(), "--events", "unlink", "--comm", name, "--duration", "3");
        RunToEnd(rm, file);
        RunToEnd(rm, "-d", folder);
        RunToEnd(rm, missing);
        var events = TracerProcess.JsonLines(tracer.WaitForExit().Stdout);

        Assert.Equal(3, events.Count);
        Assert.Equal([(file, 0, 0), (folder, 0x200, 0), (missing, 0, -2)], events.Select(e =>
            (e.GetProperty("path").GetString(), e.GetProperty("flags").GetInt32(), e.GetProperty("result").GetInt32())));
        Assert.All(events, e => Assert.Equal("unlinkat", e.GetProperty("call").GetString())); // coreutils rm calls unlinkat
        Assert.All(events, e => Assert.Equal(-100, e.GetProperty("dirfd").GetInt32()));
    }

    [Fact]
    public void A_file_written_and_read_back_has_exact_totals_at_close_and_pipes_are_not_counted()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("tdd");
        var dd = Copy("/bin/dd", dir.Path, name);
        var data = Path.Combine(dir.Path, "data");

        using var tracer = new TracerProcess(Tracer(), "--events", "file_io", "--comm", name, "--duration", "3");
        RunToEnd(dd, "if=/dev/zero", $"of={data}", "bs=4096", "count=10", "status=none");
        RunToEnd(dd, $"if={data}", "of=/dev/null", "bs=1000", "status=none");
        var events = TracerProcess.JsonLines(tracer.WaitForExit().Stdout).Where(e => e.GetProperty("path").GetString() == data).ToList();

        Assert.Equal(2, events.Count);
        AssertTotals(events[0], "close", reads: 0, readBytes: 0, writes: 10, writeBytes: 40960);
        // 40 reads of 1000 bytes, one of 960, one at the end of the file.
        AssertTotals(events[1], "close", reads: 42, readBytes: 40960, writes: 0, writeBytes: 0);
        Assert.Equal(1, events[0].GetProperty("fd").GetInt32());
        Assert.Equal(0, events[1].GetProperty("fd").GetInt32());
    }

    [Fact]
    public void A_file_in_use_is_reported_every_interval_and_at_exit_and_an_unused_one_once_idle()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("tpy");
        var python = Copy("/usr/bin/python3", dir.Path, name);
        var busy = Path.Combine(dir.Path, "busy");
        var quiet = Path.Combine(dir.Path, "quiet");

        using var tracer = new TracerProcess(Tracer(), "--events", "file_io", "--comm", name, "--interval", "1", "--duration", "4");
        // One file written every 0.2 s past the tracer's end, the other once; both stay open.
        var script = $"import os, time\nbusy = os.open('{busy}', os.O_WRONLY | os.O_CREAT)\nquiet = os.open('{quiet}', os.O_WRONLY | os.O_CREAT)\n" +
            "os.write(quiet, b'0123456789')\nfor i in range(30):\n    os.write(busy, b'0123456789')\n    time.sleep(0.2)\n";
        using var writer = new BackgroundProgram(python, ["-c", script]);
        var events = TracerProcess.JsonLines(tracer.WaitForExit().Stdout);

        var reports = events.Where(e => e.GetProperty("path").GetString() == busy).ToList();
        Assert.True(reports.Count >= 3, $"expected reports every second and one at exit, got {reports.Count}");
        Assert.All(reports[..^1], e => Assert.Equal("interval", e.GetProperty("reason").GetString()));
        var last = reports[^1];
        var writes = last.GetProperty("writes").GetInt64();
        AssertTotals(last, "exit", reads: 0, readBytes: 0, writes: writes, writeBytes: 10 * writes);
        Assert.InRange(writes, 10, 30);
        Assert.Equal(reports.Select(e => e.GetProperty("writes").GetInt64()).Order(), reports.Select(e => e.GetProperty("writes").GetInt64()));
        // Written once at the start: reported (at the first interval, if it came within the second) then once idle, then
        // forgotten: never at exit.
        var quietReasons = events.Where(e => e.GetProperty("path").GetString() == quiet).Select(e => e.GetProperty("reason").GetString()).ToList();
        Assert.Equal("idle", quietReasons[^1]);
        Assert.All(quietReasons[..^1], reason => Assert.Equal("interval", reason));
    }

    private static void AssertTotals(JsonElement e, string reason, long reads, long readBytes, long writes, long writeBytes)
    {
        Assert.Equal(reason, e.GetProperty("reason").GetString());
        Assert.Equal((reads, readBytes, writes, writeBytes), (e.GetProperty("reads").GetInt64(), e.GetProperty("read_bytes").GetInt64(),
            e.GetProperty("writes").GetInt64(), e.GetProperty("write_bytes").GetInt64()));
        Assert.True(DateTime.Parse(e.GetProperty("first_ts").GetString()!) <= DateTime.Parse(e.GetProperty("last_ts").GetString()!));
    }
}
