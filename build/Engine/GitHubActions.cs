namespace Engine;

/// <summary>GitHub Actions workflow commands: the runner reads these lines from the log.</summary>
public static class GitHubActions
{
    public static bool IsRunningUnder(IReadOnlyDictionary<string, string> environment) =>
        environment.GetValueOrDefault("GITHUB_ACTIONS") == "true";

    /// <summary>An <c>::error</c> or <c>::warning</c> annotation, placed on a file's line when one is given.</summary>
    public static string Annotation(string kind, string message, string? file = null, int? line = null, int? column = null)
    {
        var properties = new[]
            {
                file is null ? null : $"file={EscapeProperty(file)}",
                line is null ? null : $"line={line}",
                column is null ? null : $"col={column}",
            }
            .OfType<string>()
            .ToList();
        return $"::{kind}{(properties.Count > 0 ? " " + string.Join(',', properties) : "")}::{EscapeData(message)}";
    }

    public static string Mask(string value) => $"::add-mask::{EscapeData(value)}";

    // As the runner decodes them: without this a multi-line message would end the command at its first line.
    private static string EscapeData(string text) => text.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");

    private static string EscapeProperty(string text) => EscapeData(text).Replace(":", "%3A").Replace(",", "%2C");
}
