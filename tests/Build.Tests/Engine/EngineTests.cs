namespace TracerBuild.Tests;

public sealed class EngineTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public EngineTests() => Directory.CreateDirectory(Path.Combine(_root.Path, ".nuke"));

    public void Dispose() => _root.Dispose();

    private sealed class OrderBuild : BuildBase
    {
        public readonly List<string> Ran = [];

        [Parameter("a string")]
        public string Mirror = "default";

        [Parameter("a list")]
        public string[] Arch = ["host"];

        [Parameter("a flag")]
        public bool SelfContained = true;

        [Parameter("an enum")]
        public DayOfWeek Day = DayOfWeek.Monday;

        public bool FailInB;

        public Target A => _ => _.DependsOn(B, C).Executes(() => Ran.Add("A"));
        public Target B => _ => _.DependsOn(C).Executes(() =>
        {
            Ran.Add("B");
            if (FailInB)
                throw new BuildFailedException("B broke");
        });
        public Target C => _ => _.Description("the base").Executes(() => Ran.Add("C"));
        public Target D => _ => _.DependsOn(A).Executes(() => Ran.Add("D"));
    }

    private sealed class SecretBuild : BuildBase
    {
        [Parameter("a secret")]
        [Secret]
        public string? ApiToken = null;

        public Target Leak => _ => _.Executes(() => throw new BuildFailedException($"the server said no to {ApiToken}"));
        public Target Crash => _ => _.Executes(() => throw new InvalidOperationException($"bad {ApiToken}"));
    }

    private sealed class PathBuild : BuildBase
    {
        [Parameter("a path")]
        public AbsolutePath? Output = null;

        public Target Show => _ => _.Executes(() => { });
    }

    /// <summary>A type of its own that parses itself, as NUKE binds any type with a converter.</summary>
    public sealed record Colour(string Name) : IParsable<Colour>
    {
        public static Colour Parse(string s, IFormatProvider? provider) =>
            TryParse(s, provider, out var colour) ? colour : throw new FormatException($"Unknown colour '{s}': red or blue.");

        public static bool TryParse(string? s, IFormatProvider? provider, out Colour colour)
        {
            colour = new(s ?? "");
            return s is "red" or "blue";
        }

        public override string ToString() => Name;
    }

    private sealed class ParsableBuild : BuildBase
    {
        public readonly List<string> Ran = [];

        [Parameter("colours")]
        public Colour[] Colours = [new("red")];

        [Parameter("how many")]
        public int Count = 1;

        public Target Paint => _ => _.Requires(() =>
        {
            if (Count < 1)
                throw new BuildInputException($"--count must be 1 or more for Paint, got {Count}.");
        }).Executes(() => Ran.Add($"Paint {string.Join(",", Colours)}"));
        public Target Other => _ => _.Executes(() => Ran.Add("Other"));
        public Target Both => _ => _.DependsOn(Other, Paint);
    }

    private sealed class CycleBuild : BuildBase
    {
        public Target X => _ => _.DependsOn(Y);
        public Target Y => _ => _.DependsOn(Z);
        public Target Z => _ => _.DependsOn(X);
    }

    private (int ExitCode, string Output, string Errors) Run(BuildBase build, Target defaultTarget, string[] args, Dictionary<string, string>? environment = null)
    {
        build.RootDirectory = AbsolutePath.Of(_root.Path);
        var output = new StringWriter();
        var errors = new StringWriter();
        var exitCode = BuildRunner.Run(build, args, defaultTarget, environment ?? [], output, errors, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), errors.ToString());
    }

    private void WriteParametersFile(string json) => File.WriteAllText(Path.Combine(_root.Path, ".nuke", "parameters.json"), json);

    [Fact]
    public void Dependencies_run_first_in_declaration_order_and_each_target_once()
    {
        var build = new OrderBuild();
        var (exitCode, output, _) = Run(build, build.D, []);

        Assert.Equal(0, exitCode);
        Assert.Equal(["C", "B", "A", "D"], build.Ran);
        Assert.Contains("Succeeded", output);
    }

    [Fact]
    public void Several_targets_in_one_call_share_their_dependencies()
    {
        var build = new OrderBuild();
        var (exitCode, _, _) = Run(build, build.D, ["--target", "B", "a"]);

        Assert.Equal(0, exitCode);
        Assert.Equal(["C", "B", "A"], build.Ran);
    }

    [Fact]
    public void A_failed_target_stops_the_targets_after_it_and_the_exit_code_is_1()
    {
        var build = new OrderBuild { FailInB = true };
        var (exitCode, output, errors) = Run(build, build.D, []);

        Assert.Equal(1, exitCode);
        Assert.Equal(["C", "B"], build.Ran);
        Assert.Equal("error: B broke", errors.Trim());
        Assert.Matches(@"(?m)^A\s+NotRun", output);
        Assert.Matches(@"(?m)^B\s+Failed", output);
        Assert.Contains("Build failed.", output);
    }

    [Fact]
    public void Skip_alone_runs_only_the_requested_targets()
    {
        var build = new OrderBuild();
        var (exitCode, output, _) = Run(build, build.D, ["--target", "A", "--skip"]);

        Assert.Equal(0, exitCode);
        Assert.Equal(["A"], build.Ran);
        Assert.Matches(@"(?m)^C\s+Skipped", output);
    }

    [Fact]
    public void Skip_with_names_skips_those()
    {
        var build = new OrderBuild();
        Run(build, build.D, ["--skip", "b"]);

        Assert.Equal(["C", "A", "D"], build.Ran);
    }

    [Fact]
    public void Plan_prints_the_order_and_runs_nothing()
    {
        var build = new OrderBuild();
        var (exitCode, output, _) = Run(build, build.D, ["--plan"]);

        Assert.Equal(0, exitCode);
        Assert.Empty(build.Ran);
        Assert.Equal(
            ["C            runs (it declares no inputs, so it always runs)",
             "B            runs (it declares no inputs, so it always runs)",
             "A            runs (it declares no inputs, so it always runs)",
             "D            runs (it declares no inputs, so it always runs)"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void A_cycle_is_reported_naming_it()
    {
        var build = new CycleBuild();
        var (exitCode, _, errors) = Run(build, build.X, []);

        Assert.Equal(1, exitCode);
        Assert.Equal("error: Targets depend on each other in a cycle: X -> Y -> Z -> X.", errors.Trim());
    }

    [Fact]
    public void Command_line_beats_environment_beats_parameters_file_beats_default()
    {
        WriteParametersFile("""{ "$schema": "./build.schema.json", "Mirror": "from-file", "Arch": ["from-file"], "Day": "Friday", "SelfContained": false }""");
        var environment = new Dictionary<string, string> { ["MIRROR"] = "from-env", ["ARCH"] = "env1, env2" };
        var build = new OrderBuild();

        var (exitCode, _, errors) = Run(build, build.C, ["--mirror", "from-cli"], environment);

        Assert.True(exitCode == 0, errors);
        Assert.Equal("from-cli", build.Mirror);
        Assert.Equal(["env1", "env2"], build.Arch);
        Assert.Equal(DayOfWeek.Friday, build.Day);
        Assert.False(build.SelfContained);
    }

    [Fact]
    public void Defaults_stay_when_nothing_sets_a_parameter()
    {
        var build = new OrderBuild();
        Run(build, build.C, []);

        Assert.Equal("default", build.Mirror);
        Assert.Equal(["host"], build.Arch);
        Assert.True(build.SelfContained);
    }

    [Theory]
    [InlineData(new[] { "--self-contained" }, true)]
    [InlineData(new[] { "--self-contained", "false" }, false)]
    [InlineData(new[] { "--SELF-CONTAINED=False" }, false)]
    public void Booleans_are_flags_or_take_a_value(string[] args, bool expected)
    {
        var build = new OrderBuild { SelfContained = !expected };
        Run(build, build.C, args);

        Assert.Equal(expected, build.SelfContained);
    }

    [Theory]
    [InlineData(new[] { "--target", "Nope" }, "error: Unknown target 'Nope'. Targets: A, B, C, D.")]
    [InlineData(new[] { "--colour", "red" }, "error: Unknown parameter '--colour'.")]
    [InlineData(new[] { "--self-contained", "maybe" }, "error: Invalid value 'maybe' for --self-contained: expected true or false.")]
    [InlineData(new[] { "--day", "Someday" }, "error: Invalid value 'Someday' for --day: expected Sunday or Monday")]
    [InlineData(new[] { "stray" }, "error: Unexpected argument 'stray'")]
    public void Bad_input_gives_one_line_and_exit_code_1_before_any_target_runs(string[] args, string expectedStart)
    {
        var build = new OrderBuild();
        var (exitCode, output, errors) = Run(build, build.D, args);

        Assert.Equal(1, exitCode);
        Assert.Empty(build.Ran);
        Assert.Empty(output);
        Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expectedStart, errors);
    }

    [Theory]
    [InlineData("{ not json", "is not valid JSON")]
    [InlineData("""{ "Colour": "red" }""", "unknown parameter 'Colour'")]
    [InlineData("""{ "Mirror": { "nested": 1 } }""", "values must be strings")]
    [InlineData("[1, 2]", "must hold a JSON object")]
    public void A_malformed_parameters_file_gives_one_line(string json, string expected)
    {
        WriteParametersFile(json);
        var build = new OrderBuild();
        var (exitCode, _, errors) = Run(build, build.C, []);

        Assert.Equal(1, exitCode);
        Assert.Empty(build.Ran);
        Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, errors);
    }

    [Fact]
    public void Help_lists_targets_with_descriptions_and_parameters_with_defaults()
    {
        var build = new OrderBuild();
        var (exitCode, output, _) = Run(build, build.D, ["--help"]);

        Assert.Equal(0, exitCode);
        Assert.Empty(build.Ran);
        Assert.Matches(@"C\s+the base", output);
        Assert.Contains("D (default)", output);
        Assert.Matches(@"--self-contained\s+a flag \[default: true\]", output);
        Assert.Matches(@"--arch\s+a list \[default: host\]", output);
    }

    [Theory]
    [InlineData("cli")]
    [InlineData("environment")]
    public void A_relative_path_on_the_command_line_or_in_the_environment_is_taken_from_the_working_folder(string source)
    {
        var build = new PathBuild();
        var (exitCode, _, errors) = source == "cli"
            ? Run(build, build.Show, ["--output", "out/x"])
            : Run(build, build.Show, [], new Dictionary<string, string> { ["OUTPUT"] = "out/x" });

        Assert.True(exitCode == 0, errors);
        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), "out", "x"), build.Output?.Path);
    }

    [Fact]
    public void A_relative_path_in_parameters_json_is_taken_from_the_repository_root_and_tilde_is_home()
    {
        WriteParametersFile("""{ "output": "../cache" }""");
        var fromFile = new PathBuild();
        Run(fromFile, fromFile.Show, []);
        var fromHome = new PathBuild();
        Run(fromHome, fromHome.Show, ["--output", "~/cache"]);

        Assert.Equal(Path.Combine(Path.GetDirectoryName(_root.Path)!, "cache"), fromFile.Output?.Path);
        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "cache"), fromHome.Output?.Path);
    }

    [Fact]
    public void An_empty_path_is_one_line_and_exit_code_1()
    {
        var build = new PathBuild();
        var (exitCode, _, errors) = Run(build, build.Show, ["--output", ""]);

        Assert.Equal(1, exitCode);
        Assert.Equal("error: Invalid value '' for --output: expected a path.", errors.Trim());
    }

    [Theory]
    [InlineData("e")]
    [InlineData("abc1234")]
    public void A_secret_too_short_to_be_one_is_refused_rather_than_blanked_out_of_every_line(string secret)
    {
        var build = new SecretBuild();

        var (exitCode, output, errors) = Run(build, build.Leak, ["--target", "Leak"], new Dictionary<string, string> { ["API_TOKEN"] = secret });

        Assert.Equal(1, exitCode);
        Assert.Equal($"error: --api-token (API_TOKEN) is {secret.Length} character(s) long, too short to be a real secret (at least 8): set the real one, or unset it.", errors.Trim());
        Assert.DoesNotContain("***", output + errors);
    }

    [Fact]
    public void A_value_that_was_not_UTF_8_is_refused_not_mangled()
    {
        var build = new OrderBuild();

        // What .NET makes of the bytes 'a', 0xFF, 'b' in an argument.
        var (exitCode, _, errors) = Run(build, build.C, ["--mirror", "a\uFFFDb"]);

        Assert.Equal(1, exitCode);
        Assert.Empty(build.Ran);
        Assert.Equal("error: The value of --mirror is not valid UTF-8 (shown as 'a\uFFFDb'): pass it in UTF-8.", errors.Trim());
    }

    [Fact]
    public void An_empty_value_on_the_command_line_is_refused_but_an_empty_variable_counts_as_unset()
    {
        var build = new OrderBuild();
        var (exitCode, _, errors) = Run(build, build.C, ["--mirror", ""]);

        Assert.Equal(1, exitCode);
        Assert.Empty(build.Ran);
        Assert.Equal("error: Invalid value '' for --mirror: expected a value (leave the parameter out for its default).", errors.Trim());

        var fromEnvironment = new OrderBuild();
        Assert.Equal(0, Run(fromEnvironment, fromEnvironment.C, [], new Dictionary<string, string> { ["MIRROR"] = "" }).ExitCode);
        Assert.Equal("default", fromEnvironment.Mirror);
    }

    [Theory]
    [InlineData("VmlinuxMirror", "vmlinux-mirror", "VMLINUX_MIRROR")]
    [InlineData("SelfContained", "self-contained", "SELF_CONTAINED")]
    [InlineData("Arch", "arch", "ARCH")]
    [InlineData("GithubToken", "github-token", "GITHUB_TOKEN")]
    public void Member_names_map_to_kebab_and_upper_snake(string member, string kebab, string snake)
    {
        Assert.Equal(kebab, Naming.Kebab(member));
        Assert.Equal(snake, Naming.UpperSnake(member));
    }

    [Theory]
    [InlineData("Leak")]
    [InlineData("Crash")]
    public void A_secret_is_masked_once_under_GitHub_Actions_and_redacted_from_errors(string target)
    {
        const string secret = "s3cr3t-value";
        var build = new SecretBuild();

        var (exitCode, output, errors) = Run(build, build.Leak, ["--target", target],
            new Dictionary<string, string> { ["API_TOKEN"] = secret, ["GITHUB_ACTIONS"] = "true" });

        Assert.Equal(1, exitCode);
        Assert.Equal([$"::add-mask::{secret}"], output.Split('\n').Where(l => l.Contains(secret)));
        Assert.Contains("***", errors);
        Assert.DoesNotContain(secret, errors);
    }

    [Fact]
    public void A_secret_is_neither_masked_outside_GitHub_Actions_nor_shown_by_help()
    {
        const string secret = "s3cr3t-value";
        var build = new SecretBuild();
        var environment = new Dictionary<string, string> { ["API_TOKEN"] = secret };

        var (_, output, errors) = Run(build, build.Leak, ["--target", "Leak"], environment);
        var (_, help, _) = Run(new SecretBuild(), build.Leak, ["--help"], environment);

        Assert.DoesNotContain(secret, output + errors);
        Assert.DoesNotContain("::add-mask::", output);
        Assert.Contains("--api-token", help);
        Assert.Contains("<secret>", help);
    }

    [Fact]
    public void A_parameter_of_a_type_that_parses_itself_binds_from_every_source()
    {
        var fromCommandLine = new ParsableBuild();
        Run(fromCommandLine, fromCommandLine.Paint, ["--colours", "blue", "red"]);
        var fromEnvironment = new ParsableBuild();
        Run(fromEnvironment, fromEnvironment.Paint, [], new() { ["COLOURS"] = "blue" });

        Assert.Equal(["Paint blue,red"], fromCommandLine.Ran);
        Assert.Equal(["Paint blue"], fromEnvironment.Ran);
    }

    [Fact]
    public void A_value_the_type_refuses_is_its_own_one_line_before_any_target_runs()
    {
        var build = new ParsableBuild();
        var (exitCode, _, errors) = Run(build, build.Paint, ["--colours", "blue", "green"]);

        Assert.Equal(1, exitCode);
        Assert.Empty(build.Ran);
        Assert.Equal("error: Unknown colour 'green': red or blue.", errors.Trim());
    }

    [Fact]
    public void A_target_s_requirement_is_checked_before_any_target_runs_and_only_when_it_is_scheduled()
    {
        var both = new ParsableBuild();
        var (exitCode, _, errors) = Run(both, both.Both, ["--count", "0"]);
        var other = new ParsableBuild();
        Run(other, other.Other, ["--count", "0"]);

        Assert.Equal(1, exitCode);
        Assert.Empty(both.Ran); // Other, which runs first, did not run either
        Assert.Equal("error: --count must be 1 or more for Paint, got 0.", errors.Trim());
        Assert.Equal(["Other"], other.Ran);
    }
}
