
namespace TracerBuild.Tests;

public sealed class ToolDiagnosticTests
{
    [Theory]
    [InlineData("/src/bpf/tracer.bpf.c:12:2: warning: \"x\" [-W#warnings]", "warning", "/src/bpf/tracer.bpf.c", 12, 2, "\"x\" [-W#warnings]")]
    [InlineData("probe.c:3:10: error: 'y' undeclared (first use in this function)", "error", "probe.c", 3, 10, "'y' undeclared (first use in this function)")]
    [InlineData("/src/Tracer/Program.cs(7,13): warning CS0168: The variable 'e' is declared but never used [/src/Tracer/Tracer.csproj]",
        "warning", "/src/Tracer/Program.cs", 7, 13, "CS0168: The variable 'e' is declared but never used")]
    [InlineData("  /src/Tracer/Bpf.cs(40,5): error IL2026: Using member 'X' ... [/src/Tracer/Tracer.csproj::TargetFramework=net10.0]",
        "error", "/src/Tracer/Bpf.cs", 40, 5, "IL2026: Using member 'X' ...")]
    public void Compiler_diagnostics_are_recognised_with_their_place(string line, string kind, string file, int lineNumber, int column, string message) =>
        Assert.Equal(new ToolDiagnostic(kind, file, lineNumber, column, message), ToolDiagnostic.Parse(line));

    [Theory]
    [InlineData("warning: no location")]
    [InlineData("1 warning generated.")]
    [InlineData("  Restored /src/Tracer/Tracer.csproj (in 1.2 sec).")]
    [InlineData("Build succeeded.    0 Warning(s)")]
    [InlineData("/src/a.c:12: note: only a line number")]
    public void Other_lines_are_not_diagnostics(string line) => Assert.Null(ToolDiagnostic.Parse(line));

    [Fact]
    public void Annotations_escape_what_would_end_the_command_or_its_properties()
    {
        Assert.Equal("::warning::100%25 of it%0Aon two lines", GitHubActions.Annotation("warning", "100% of it\non two lines"));
        Assert.Equal("::error file=dir%2Ca%3Ab.c,line=3,col=4::bad", GitHubActions.Annotation("error", "bad", "dir,a:b.c", 3, 4));
    }
}

/// <summary>Reads what the build writes to the console, so nothing else may run meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}

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
