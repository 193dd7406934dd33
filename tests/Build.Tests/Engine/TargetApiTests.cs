namespace TracerBuild.Tests;

/// <summary>The NUKE-style target API: dependencies, failure, interruption, help, suggestions, the environment prefix.</summary>
public sealed class TargetApiTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public TargetApiTests() => Directory.CreateDirectory(Path.Combine(_root.Path, ".nuke"));

    public void Dispose() => _root.Dispose();

    private sealed class ApiBuild : BuildBase
    {
        public readonly List<string> Ran = [];
        public Action? DuringCompile;
        public bool FailTest;

        [Parameter("a value")]
        public string Flavour = "plain";

        protected internal override string? EnvironmentPrefix => "MY";

        public Target Restore => _ => _.Executes(() => Ran.Add("Restore"));
        public Target Compile => _ => _.DependsOn(Restore).Executes(() =>
        {
            Ran.Add("Compile");
            DuringCompile?.Invoke();
        });
        public Target Test => _ => _.DependsOn(Compile).Executes(() =>
        {
            Ran.Add("Test");
            if (FailTest)
                throw new BuildFailedException("tests failed");
        });
        public Target Publish => _ => _.DependsOn(Test).Executes(() => Ran.Add("Publish"));
        public Target Package => _ => _.DependsOn(Compile).Executes(() => Ran.Add("Package"));
        public Target Stamp => _ => _.DependsOn(Restore)
            .InputValues(() => throw new BuildInputException("SOURCE_DATE_EPOCH must be a number"))
            .Executes(() => Ran.Add("Stamp"));
    }

    private (int ExitCode, string Output, string Errors) Run(ApiBuild build, string[] args, Dictionary<string, string>? environment = null, CancellationToken? cancellation = null)
    {
        build.RootDirectory = AbsolutePath.Of(_root.Path);
        var output = new StringWriter();
        var errors = new StringWriter();
        var exitCode = BuildRunner.Run(build, args, build.Test, environment ?? [], output, errors, cancellation ?? TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), errors.ToString());
    }

    [Fact]
    public void A_failure_stops_what_follows()
    {
        var build = new ApiBuild { FailTest = true };
        var (exitCode, output, errors) = Run(build, ["--target", "Publish"]);

        Assert.Equal(1, exitCode);
        Assert.Equal(["Restore", "Compile", "Test"], build.Ran);
        Assert.Equal("error: tests failed", errors.Trim());
        Assert.Matches(@"(?m)^Publish\s+NotRun", output);
    }

    [Fact]
    public void An_interruption_aborts_the_running_target_and_still_prints_the_summary()
    {
        using var interrupt = new CancellationTokenSource();
        var build = new ApiBuild();
        build.DuringCompile = () =>
        {
            interrupt.Cancel();
            interrupt.Token.ThrowIfCancellationRequested();
        };

        var (exitCode, output, errors) = Run(build, ["--target", "Test"], cancellation: interrupt.Token);

        Assert.Equal(BuildRunner.InterruptedExitCode, exitCode);
        Assert.Equal(["Restore", "Compile"], build.Ran);
        Assert.Equal("error: Compile was interrupted.", errors.Trim());
        Assert.Matches(@"(?m)^Compile\s+Aborted", output);
        Assert.Matches(@"(?m)^Test\s+NotRun", output);
        Assert.Contains("Build interrupted.", output);
    }

    [Fact]
    public void A_failure_reading_a_target_s_inputs_is_one_line_and_fails_that_target()
    {
        var build = new ApiBuild();
        var (exitCode, output, errors) = Run(build, ["--target", "Stamp"]);

        Assert.Equal(1, exitCode);
        Assert.Equal(["Restore"], build.Ran);
        Assert.Equal("error: SOURCE_DATE_EPOCH must be a number", errors.Trim());
        Assert.Matches(@"(?m)^Stamp\s+Failed", output);
    }

    [Fact]
    public void Help_lists_direct_dependencies()
    {
        var (_, output, _) = Run(new ApiBuild(), ["--help"]);

        Assert.Matches(@"Test \(default\)\s+ \[after Compile\]", output);
        Assert.Matches(@"Compile\s+ \[after Restore\]", output);
        Assert.Contains("environment UPPER_SNAKE or MY_UPPER_SNAKE", output);
    }

    [Theory]
    [InlineData("Tset", "Test")]
    [InlineData("pubish", "Publish")]
    [InlineData("Packge", "Package")]
    public void An_unknown_target_suggests_the_closest(string typed, string suggested)
    {
        var (exitCode, _, errors) = Run(new ApiBuild(), ["--target", typed]);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"error: Unknown target '{typed}'. Did you mean {suggested}? Targets: ", errors.Trim());
    }

    [Fact]
    public void The_prefixed_environment_variable_wins_over_the_plain_one()
    {
        var build = new ApiBuild();
        Run(build, ["--target", "Restore"], new Dictionary<string, string> { ["FLAVOUR"] = "plain-env", ["MY_FLAVOUR"] = "prefixed" });

        Assert.Equal("prefixed", build.Flavour);
    }

    [Fact]
    public void Under_GitHub_Actions_targets_are_log_groups_errors_annotations_and_the_summary_markdown()
    {
        var summary = Path.Combine(_root.Path, "step-summary.md");
        var build = new ApiBuild { FailTest = true };
        var (_, output, _) = Run(build, ["--target", "Test"], new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = summary });

        Assert.Contains("::group::Compile\n", output.ReplaceLineEndings("\n"));
        Assert.Contains("::endgroup::", output);
        Assert.Contains("::error::tests failed", output);
        var markdown = File.ReadAllText(summary);
        Assert.Contains("| Target | Status | Duration |", markdown);
        Assert.Contains("| Test | Failed |", markdown);
        Assert.Contains("Build failed.", markdown);
    }
}
