namespace TracerBuild.Tests;

/// <summary>
/// The tests' signals (Ctrl-C of a build, SIGINT and SIGTERM to a tracer) arrive however the test run was started: a
/// background job of a non-interactive shell starts its children with SIGINT ignored, and an ignored signal stays
/// ignored across fork and exec, down to the program a test signals.
/// </summary>
public sealed class BackgroundProgramTests
{
    /// <summary>What such a shell does to what it starts, here to the command in "$@".</summary>
    private const string UnderInheritedIgnore = "trap '' INT TERM; exec \"$@\"";

    [Theory]
    [InlineData("INT", 2)]
    [InlineData("TERM", 15)]
    public void A_program_started_under_an_inherited_ignore_still_gets_the_tests_signals(string signal, int number)
    {
        var (program, arguments) = BackgroundProgram.WithDefaultSignals("sleep", ["60"]);
        using var sleep = new BackgroundProgram("bash", ["-c", UnderInheritedIgnore, "bash", program, .. arguments]);
        Assert.False(Ignores(WhenRunning(sleep.Id), number));

        sleep.Signal(signal);

        Assert.Equal(128 + number, sleep.WaitForExit(TimeSpan.FromSeconds(10)).ExitCode);
    }

    /// <summary>Without the reset the ignore is inherited: the case above would wait for its signal in vain.</summary>
    [Fact]
    public void Without_the_reset_the_ignore_reaches_the_program()
    {
        using var sleep = new BackgroundProgram("bash", ["-c", UnderInheritedIgnore, "bash", "sleep", "60"]);

        var status = WhenRunning(sleep.Id);

        Assert.True(Ignores(status, 2), status);
        Assert.True(Ignores(status, 15), status);
    }

    /// <summary>/proc/PID/status once the process has become sleep (bash and env exec it under the same pid).</summary>
    private static string WhenRunning(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (File.ReadAllText($"/proc/{pid}/comm").Trim() != "sleep")
        {
            Assert.True(DateTime.UtcNow < deadline, $"process {pid} never became sleep");
            Thread.Sleep(10);
        }
        return File.ReadAllText($"/proc/{pid}/status");
    }

    /// <summary>Whether the SigIgn mask of a /proc/PID/status text has the signal.</summary>
    private static bool Ignores(string status, int signal)
    {
        var mask = status.Split('\n').Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))["SigIgn:".Length..].Trim();
        return (Convert.ToUInt64(mask, 16) >> (signal - 1) & 1) == 1;
    }
}
