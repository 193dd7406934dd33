using System.Text.RegularExpressions;

namespace Engine;

/// <summary>A warning or error a compiler printed with its place: clang's and gcc's <c>file:line:col: warning: text</c>, MSBuild's <c>file(line,col): warning CS0168: text [project]</c>.</summary>
public sealed partial record ToolDiagnostic(string Kind, string File, int Line, int Column, string Message)
{
    public static ToolDiagnostic? Parse(string line)
    {
        var match = Clang().Match(line);
        if (!match.Success)
            match = MsBuild().Match(line);
        return match.Success
            ? new ToolDiagnostic(
                match.Groups["kind"].Value,
                match.Groups["file"].Value,
                int.Parse(match.Groups["line"].Value),
                int.Parse(match.Groups["col"].Value),
                match.Groups["message"].Value)
            : null;
    }

    [GeneratedRegex(@"^(?<file>[^:\s][^:]*):(?<line>\d+):(?<col>\d+): (?<kind>warning|error): (?<message>.+)$")]
    private static partial Regex Clang();

    [GeneratedRegex(@"^\s*(?<file>[^(\s][^(]*)\((?<line>\d+),(?<col>\d+)\): (?<kind>warning|error) (?<message>[A-Z]+\d+: .+?)(?: \[[^\]]+\])?$")]
    private static partial Regex MsBuild();
}
