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
