using Spectre.Console;

namespace TracerBuild.Engine;

public sealed record TargetResult(string Name, TargetStatus Status, TimeSpan Duration);

/// <summary>
/// What the engine shows while it runs: a header per target and the summary table. On a terminal Spectre.Console
/// draws them; otherwise plain text, which also spares loading Spectre (about 0.15 s) in scripts and CI.
/// </summary>
internal abstract class BuildOutput
{
    public abstract void TargetStarted(string name);

    public abstract void Summary(IReadOnlyList<TargetResult> results);

    public static BuildOutput For(TextWriter output) =>
        output == Console.Out && !Console.IsOutputRedirected ? new TerminalOutput() : new PlainOutput(output);

    protected static string Format(TimeSpan duration) =>
        duration.TotalMinutes >= 1 ? duration.ToString(@"m\:ss") : $"{duration.TotalSeconds:0.0}s";

    protected static TimeSpan Total(IEnumerable<TargetResult> results) => TimeSpan.FromTicks(results.Sum(r => r.Duration.Ticks));

    protected static bool Failed(IEnumerable<TargetResult> results) => results.Any(r => r.Status == TargetStatus.Failed);
}

internal sealed class PlainOutput(TextWriter output) : BuildOutput
{
    public override void TargetStarted(string name) => output.WriteLine($"═══ {name} ═══");

    public override void Summary(IReadOnlyList<TargetResult> results)
    {
        var width = results.Max(r => r.Name.Length) + 2;
        output.WriteLine();
        output.WriteLine($"{"Target".PadRight(width)}{"Status",-10}{"Duration",10}");
        foreach (var (name, status, duration) in results)
            output.WriteLine($"{name.PadRight(width)}{status,-10}{Format(duration),10}");
        output.WriteLine($"{"Total".PadRight(width)}{"",-10}{Format(Total(results)),10}");
        output.WriteLine(Failed(results) ? "Build failed." : "Build succeeded.");
    }
}

internal sealed class TerminalOutput : BuildOutput
{
    private readonly IAnsiConsole _console = AnsiConsole.Console;

    public override void TargetStarted(string name) => _console.Write(new Rule($"[bold]{Markup.Escape(name)}[/]").LeftJustified());

    public override void Summary(IReadOnlyList<TargetResult> results)
    {
        var table = new Table().AddColumn("Target").AddColumn("Status").AddColumn(new TableColumn("Duration").RightAligned());
        foreach (var (name, status, duration) in results)
            table.AddRow(Markup.Escape(name), Color(status), Format(duration));
        table.AddEmptyRow().AddRow("Total", "", Format(Total(results)));
        _console.WriteLine();
        _console.Write(table);
        _console.MarkupLine(Failed(results) ? "[red]Build failed.[/]" : "[green]Build succeeded.[/]");
    }

    private static string Color(TargetStatus status) => status switch
    {
        TargetStatus.Succeeded => "[green]Succeeded[/]",
        TargetStatus.Failed => "[red]Failed[/]",
        TargetStatus.Skipped => "[grey]Skipped[/]",
        TargetStatus.UpToDate => "[blue]UpToDate[/]",
        _ => "[grey]NotRun[/]",
    };
}
