using System.Text;
using Spectre.Console;

namespace Engine;

public sealed record TargetResult(string Name, TargetStatus Status, TimeSpan Duration);

/// <summary>
/// What the engine shows while it runs: a header per target, notes, errors and the summary table. On a terminal
/// Spectre.Console draws them; otherwise plain text, which also spares loading Spectre (about 0.15 s) in scripts and
/// CI; under GitHub Actions, plain text with log groups, annotations and a step summary.
/// </summary>
internal abstract class BuildOutput(TextWriter errors)
{
    public abstract void TargetStarted(string name);

    public virtual void TargetFinished(string name)
    {
    }

    public abstract void Note(string text);

    public virtual void Error(string message) => errors.WriteLine($"error: {message}");

    public abstract void Summary(IReadOnlyList<TargetResult> results);

    public static BuildOutput For(TextWriter output, TextWriter errors, IReadOnlyDictionary<string, string> environment) =>
        GitHubActions.IsRunningUnder(environment) ? new GitHubActionsOutput(output, errors, environment.GetValueOrDefault("GITHUB_STEP_SUMMARY"))
        : output == Console.Out && !Console.IsOutputRedirected ? new TerminalOutput(errors)
        : new PlainOutput(output, errors);

    protected static string Format(TimeSpan duration) =>
        duration.TotalMinutes >= 1 ? duration.ToString(@"m\:ss") : $"{duration.TotalSeconds:0.0}s";

    protected static TimeSpan Total(IEnumerable<TargetResult> results) => TimeSpan.FromTicks(results.Sum(r => r.Duration.Ticks));

    protected static string Outcome(IReadOnlyList<TargetResult> results) =>
        results.Any(r => r.Status == TargetStatus.Aborted) ? "Build interrupted."
        : results.Any(r => r.Status == TargetStatus.Failed) ? "Build failed."
        : "Build succeeded.";
}

internal class PlainOutput(TextWriter output, TextWriter errors) : BuildOutput(errors)
{
    protected TextWriter Output => output;

    public override void TargetStarted(string name) => output.WriteLine($"═══ {name} ═══");

    public override void Note(string text) => output.WriteLine(text);

    public override void Summary(IReadOnlyList<TargetResult> results)
    {
        var width = results.Max(r => r.Name.Length) + 2;
        output.WriteLine();
        output.WriteLine($"{"Target".PadRight(width)}{"Status",-10}{"Duration",10}");
        foreach (var (name, status, duration) in results)
            output.WriteLine($"{name.PadRight(width)}{status,-10}{Format(duration),10}");
        output.WriteLine($"{"Total".PadRight(width)}{"",-10}{Format(Total(results)),10}");
        output.WriteLine(Outcome(results));
    }
}

/// <summary>GitHub Actions reads <c>::group::</c> and <c>::error::</c> from the log and Markdown from $GITHUB_STEP_SUMMARY.</summary>
internal sealed class GitHubActionsOutput(TextWriter output, TextWriter errors, string? stepSummary) : PlainOutput(output, errors)
{
    public override void TargetStarted(string name) => Output.WriteLine($"::group::{name}");

    public override void TargetFinished(string name) => Output.WriteLine("::endgroup::");

    public override void Error(string message)
    {
        base.Error(message);
        Output.WriteLine(GitHubActions.Annotation("error", message));
    }

    public override void Summary(IReadOnlyList<TargetResult> results)
    {
        base.Summary(results);
        if (string.IsNullOrEmpty(stepSummary))
            return;
        var markdown = new StringBuilder("| Target | Status | Duration |\n|---|---|---:|\n");
        foreach (var (name, status, duration) in results)
            markdown.Append($"| {name} | {status} | {Format(duration)} |\n");
        markdown.Append($"| **Total** | | {Format(Total(results))} |\n\n{Outcome(results)}\n");
        File.AppendAllText(stepSummary, markdown.ToString());
    }
}

internal sealed class TerminalOutput(TextWriter errors) : BuildOutput(errors)
{
    private readonly IAnsiConsole _console = AnsiConsole.Console;

    public override void TargetStarted(string name) => _console.Write(new Rule($"[bold]{Markup.Escape(name)}[/]").LeftJustified());

    public override void Note(string text) => _console.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    public override void Summary(IReadOnlyList<TargetResult> results)
    {
        var table = new Table().AddColumn("Target").AddColumn("Status").AddColumn(new TableColumn("Duration").RightAligned());
        foreach (var (name, status, duration) in results)
            table.AddRow(Markup.Escape(name), Color(status), Format(duration));
        table.AddEmptyRow().AddRow("Total", "", Format(Total(results)));
        _console.WriteLine();
        _console.Write(table);
        var outcome = Outcome(results);
        _console.MarkupLine(outcome == "Build succeeded." ? $"[green]{outcome}[/]" : $"[red]{outcome}[/]");
    }

    private static string Color(TargetStatus status) => status switch
    {
        TargetStatus.Succeeded => "[green]Succeeded[/]",
        TargetStatus.Failed => "[red]Failed[/]",
        TargetStatus.Aborted => "[red]Aborted[/]",
        TargetStatus.Skipped => "[grey]Skipped[/]",
        TargetStatus.UpToDate => "[blue]UpToDate[/]",
        _ => "[grey]NotRun[/]",
    };
}
