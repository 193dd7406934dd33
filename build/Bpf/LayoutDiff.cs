using System.Text.RegularExpressions;

namespace TracerBuild.Bpf;

/// <summary>A C name (open_event, open_event.flags, event_type.EVENT_EXEC) added, removed or changed, with what each side said of it.</summary>
public sealed record LayoutChange(string Name, string Kind, string? Before, string? After)
{
    public override string ToString() =>
        Kind == "changed" && Before != After ? $"{Name} changed ({Before} -> {After})" : $"{Name} {Kind}";
}

/// <summary>
/// The first layout difference between two texts of <see cref="EventTypesGenerator"/>, read from the comments that end
/// its layout lines (<c>// open_event.flags: __u32 at 24</c>). An added or removed name comes first, as it moves the
/// fields after it; then a changed field, then a changed struct size.
/// </summary>
public static class LayoutDiff
{
    private static readonly Regex LayoutComment = new(@"// (?<name>\w+(\.\w+)?)(: | = )(?<says>.*)$");

    /// <summary>Null when every layout line is the same (the texts may still differ elsewhere).</summary>
    public static LayoutChange? First(string before, string after)
    {
        var old = Lines(before);
        var current = Lines(after);
        return current.Where(line => !old.ContainsKey(line.Key)).Select(line => new LayoutChange(line.Key, "added", null, line.Value.Says))
            .Concat(old.Where(line => !current.ContainsKey(line.Key)).Select(line => new LayoutChange(line.Key, "removed", line.Value.Says, null)))
            .Concat(current.Where(line => old.TryGetValue(line.Key, out var was) && was.Text != line.Value.Text)
                .OrderBy(line => line.Key.Contains('.') ? 0 : 1)
                .Select(line => new LayoutChange(line.Key, "changed", old[line.Key].Says, line.Value.Says)))
            .FirstOrDefault();
    }

    /// <summary>Each layout line by the C name in its comment, in the text's order (a name given twice, by a hand edit, counts once).</summary>
    private static Dictionary<string, (string Text, string Says)> Lines(string text)
    {
        var lines = new Dictionary<string, (string, string)>();
        foreach (var line in text.Split('\n'))
        {
            if (LayoutComment.Match(line) is { Success: true } match)
                lines.TryAdd(match.Groups["name"].Value, (line, match.Groups["says"].Value.TrimEnd('\r')));
        }
        return lines;
    }
}
