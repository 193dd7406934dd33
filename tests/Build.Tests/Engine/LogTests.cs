namespace TracerBuild.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class LogTests : IDisposable
{
    private const string Secret = "s3cr3t-value";
    private readonly TempDirectory _root = new();

    public LogTests() => Directory.CreateDirectory(Path.Combine(_root.Path, ".nuke"));

    public void Dispose() => _root.Dispose();

    private sealed class ToolBuild : BuildBase
    {
        [Parameter("a secret")]
        [Secret]
        public string? ApiToken = null;

        public string Script = "";

        public Target Echo => _ => _.Executes(() => Programs.Run("sh", ["-c", Script, "sh", $"token={ApiToken}"]));

        public Target Warn => _ => _.Executes(() => Log.Warning($"{ApiToken} is about to expire"));

        public Target WarnForArch => _ => _.Executes(() =>
        {
            using (Log.PrefixedWith("arm64"))
                Log.Warning("header unpinned");
        });
    }

    /// <summary>The console output of a build run in this process.</summary>
    private string Run(ToolBuild build, string target, bool underActions)
    {
        build.RootDirectory = AbsolutePath.Of(_root.Path);
        var environment = new Dictionary<string, string> { ["API_TOKEN"] = Secret };
        if (underActions)
            environment["GITHUB_ACTIONS"] = "true";
        var console = new StringWriter();
        var original = Console.Out;
        Console.SetOut(console);
        try
        {
            BuildRunner.Run(build, ["--target", target], build.Echo, environment, new StringWriter(), new StringWriter(), TestContext.Current.CancellationToken);
        }
        finally
        {
            Console.SetOut(original);
            Log.Configure(Secrets.None, underGitHubActions: false, root: "");
        }
        return console.ToString().ReplaceLineEndings("\n");
    }

    [Fact]
    public void A_secret_is_redacted_from_the_echoed_command_and_from_what_the_program_prints()
    {
        var output = Run(new ToolBuild { Script = "echo \"got $1\"; echo \"$1\" >&2" }, "Echo", underActions: false);

        Assert.Contains("> sh -c 'echo \"got $1\"; echo \"$1\" >&2' sh token=***\n", output);
        Assert.Contains("\ngot token=***\n", output);
        Assert.Contains("\ntoken=***\n", output);
        Assert.DoesNotContain(Secret, output);
    }

    [Theory]
    [InlineData(false, "warning: *** is about to expire\n")]
    [InlineData(true, "::warning::*** is about to expire\n")]
    public void A_warning_is_a_plain_line_or_under_GitHub_Actions_an_annotation(bool underActions, string expected)
    {
        var output = Run(new ToolBuild(), "Warn", underActions);

        Assert.Contains(expected, output);
        Assert.DoesNotContain(Secret, output);
    }

    [Theory]
    [InlineData(false, "[arm64] warning: header unpinned")]
    [InlineData(true, "::warning::header unpinned")]
    public void A_warning_keeps_the_arch_prefix_unless_it_is_an_annotation_which_must_start_its_line(bool underActions, string expected) =>
        Assert.Contains(expected, Run(new ToolBuild(), "WarnForArch", underActions).Split('\n'));

    [Fact]
    public void Under_GitHub_Actions_a_compiler_warning_is_annotated_on_its_repository_file_after_the_line_itself()
    {
        var file = Path.Combine(_root.Path, "bpf", "tracer.bpf.c");
        var line = $"{file}:12:2: warning: \"x\" [-W#warnings]";

        var output = Run(new ToolBuild { Script = $"echo '{line}'" }, "Echo", underActions: true);
        var plain = Run(new ToolBuild { Script = $"echo '{line}'" }, "Echo", underActions: false);

        Assert.Contains($"{line}\n::warning file=bpf/tracer.bpf.c,line=12,col=2::\"x\" [-W#warnings]\n", output);
        Assert.Contains($"{line}\n", plain);
        Assert.DoesNotContain("::warning", plain);
    }
}
