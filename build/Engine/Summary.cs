using Spectre.Console;

namespace TracerBuild.Engine;

internal static class Summary
{
    public static void Print(IAnsiConsole console, IReadOnlyList<(string Name, TargetStatus Status, TimeSpan Duration)> results)
    {
        var table = new Table().AddColumn("Target").AddColumn("Status").AddColumn(new TableColumn("Duration").RightAligned());
        foreach (var (name, status, duration) in results)
            table.AddRow(Markup.Escape(name), Color(status), Format(duration));
        var total = TimeSpan.FromTicks(results.Sum(r => r.Duration.Ticks));
        table.AddEmptyRow().AddRow("Total", "", Format(total));
        console.WriteLine();
        console.Write(table);
        var failed = results.Any(r => r.Status == TargetStatus.Failed);
        console.MarkupLine(failed ? "[red]Build failed.[/]" : "[green]Build succeeded.[/]");
    }

    private static string Color(TargetStatus status) => status switch
    {
        TargetStatus.Succeeded => "[green]Succeeded[/]",
        TargetStatus.Failed => "[red]Failed[/]",
        TargetStatus.Skipped => "[grey]Skipped[/]",
        _ => "[grey]NotRun[/]",
    };

    private static string Format(TimeSpan duration) => duration.TotalMinutes >= 1 ? duration.ToString(@"m\:ss") : $"{duration.TotalSeconds:0.0}s";
}
