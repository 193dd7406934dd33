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
    public void A_file_still_open_is_reported_every_interval_and_at_exit()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("tpy");
        var python = Copy("/usr/bin/python3", dir.Path, name);
        var log = Path.Combine(dir.Path, "log");

        using var tracer = new TracerProcess(Tracer(), "--events", "file_io", "--comm", name, "--interval", "1", "--duration", "4");
        // Six writes to fd 3 half a second apart; the file stays open until after the tracer has stopped.
        var script = $"import os, time\nfd = os.open('{log}', os.O_WRONLY | os.O_CREAT)\nfor i in range(6):\n    os.write(fd, b'0123456789')\n    time.sleep(0.5)\ntime.sleep(3)\n";
        using var writer = new BackgroundProgram(python, ["-c", script]);
        var events = TracerProcess.JsonLines(tracer.WaitForExit().Stdout).Where(e => e.GetProperty("path").GetString() == log).ToList();

        Assert.True(events.Count >= 3, $"expected reports every second and one at exit, got {events.Count}");
        Assert.All(events[..^1], e => Assert.Equal("interval", e.GetProperty("reason").GetString()));
        var last = events[^1];
        Assert.Equal("exit", last.GetProperty("reason").GetString());
        AssertTotals(last, "exit", reads: 0, readBytes: 0, writes: 6, writeBytes: 60);
        Assert.Equal(3, last.GetProperty("fd").GetInt32());
        var writes = events.Select(e => e.GetProperty("writes").GetInt64()).ToList();
        Assert.Equal(writes.Order(), writes);
    }

    private static void AssertTotals(JsonElement e, string reason, long reads, long readBytes, long writes, long writeBytes)
    {
        Assert.Equal(reason, e.GetProperty("reason").GetString());
        Assert.Equal((reads, readBytes, writes, writeBytes), (e.GetProperty("reads").GetInt64(), e.GetProperty("read_bytes").GetInt64(),
            e.GetProperty("writes").GetInt64(), e.GetProperty("write_bytes").GetInt64()));
        Assert.True(DateTime.Parse(e.GetProperty("first_ts").GetString()!) <= DateTime.Parse(e.GetProperty("last_ts").GetString()!));
    }
}
