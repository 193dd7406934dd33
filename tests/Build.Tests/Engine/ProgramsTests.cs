namespace TracerBuild.Tests;

/// <summary>The build's one way of running programs, over CliWrap.</summary>
public sealed class ProgramsTests
{
    [Fact]
    public void An_interruption_ends_the_running_program_and_its_children_in_one_line()
    {
        using var temp = new TempDirectory();
        var pidFile = Path.Combine(temp.Path, "child.pid");
        using var interrupt = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var e = Assert.Throws<BuildFailedException>(() =>
            Programs.TryRun("/bin/sh", ["-c", "sleep 30 & echo $! > \"$0\"; wait", pidFile], interruption: interrupt.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal("/bin/sh was interrupted; it and its child processes were killed.", e.Message);
        var child = File.ReadAllText(pidFile).Trim();
        Assert.True(SpinWait.SpinUntil(() => !IsAlive(child), TimeSpan.FromSeconds(5)), $"the shell's child sleep (pid {child}) outlived the interruption");
    }

    [Fact]
    public void A_failure_is_one_line_naming_the_program_its_exit_code_and_the_tail_of_its_output()
    {
        var e = Assert.Throws<BuildFailedException>(() =>
            Programs.Run("/bin/sh", ["-c", "exec >&2; for i in 1 2 3 4 5; do echo line $i; done; echo oops; exit 3"], echo: false));

        Assert.Equal("/bin/sh exited with code 3: line 4 | line 5 | oops", e.Message);
    }

    [Fact]
    public void A_missing_program_is_one_line_saying_what_to_do()
    {
        var e = Assert.Throws<BuildFailedException>(() => Programs.Run("no-such-program-here", [], echo: false));

        Assert.Equal($"'no-such-program-here' was not found on PATH or cannot be run: {Programs.MissingProgramAdvice}.", e.Message);
    }

    [Fact]
    public void Arguments_pass_verbatim_stdin_is_empty_and_the_environment_is_added()
    {
        var result = Programs.Run("/bin/sh", ["-c", "printf '%s|' \"$1\" \"$X\"; cat", "sh", "a b 'c\" $d"], environment: new Dictionary<string, string> { ["X"] = "y" }, echo: false);

        Assert.Equal("a b 'c\" $d|y|", result.StandardOutput.TrimEnd('\n'));
    }

    // A killed process may linger as a zombie until its new parent reaps it: that is not alive.
    private static bool IsAlive(string pid) =>
        File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1][0] != 'Z';
}
