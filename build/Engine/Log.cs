
namespace Engine;

/// <summary>
/// The build's log: whole lines, prefixed while work runs in parallel, with the secret parameters'
/// values redacted from every line, whoever wrote it (the build, or a program it ran). Under GitHub Actions, warnings
/// and the compiler diagnostics in programs' output become annotations.
/// </summary>
public static class Log
{
    private static readonly AsyncLocal<string?> CurrentPrefix = new();
    private static readonly Lock Gate = new();
    private static Secrets _secrets = Secrets.None;
    private static bool _annotate;
    private static string _root = "";

    /// <summary>Set by the engine once the parameters are bound; <paramref name="root"/> makes annotated paths repository-relative.</summary>
    internal static void Configure(Secrets secrets, bool underGitHubActions, string root)
    {
        _secrets = secrets;
        _annotate = underGitHubActions;
        _root = root;
    }

    /// <summary>The prefix of the current flow of work, for handing to threads it does not flow to.</summary>
    public static string? Prefix => CurrentPrefix.Value;

    public static void Line(string text) => Line(text, CurrentPrefix.Value);

    public static void Line(string text, string? prefix)
    {
        var line = _secrets.Redact(prefix is null ? text : $"[{prefix}] {text}");
        lock (Gate)
            Console.WriteLine(line);
    }

    /// <summary>A plain line keeps its prefix; a workflow command must start its line, so an annotation has none.</summary>
    public static void Warning(string message)
    {
        if (_annotate)
            Line(GitHubActions.Annotation("warning", message), null);
        else
            Line($"warning: {message}");
    }

    /// <summary>A line of a program's output: under GitHub Actions a compiler's warning or error there is annotated on its file.</summary>
    public static void ToolLine(string line, string? prefix)
    {
        Line(line, prefix);
        if (_annotate && ToolDiagnostic.Parse(line) is { } diagnostic)
            Line(GitHubActions.Annotation(diagnostic.Kind, diagnostic.Message, RepositoryRelative(diagnostic.File), diagnostic.Line, diagnostic.Column), null);
    }

    /// <summary>Prefixes this flow's lines until disposed.</summary>
    public static IDisposable PrefixedWith(string prefix)
    {
        var previous = CurrentPrefix.Value;
        CurrentPrefix.Value = prefix;
        return new Restore(() => CurrentPrefix.Value = previous);
    }

    // GitHub places an annotation on a file only by its path in the repository.
    private static string RepositoryRelative(string file)
    {
        if (_root.Length == 0 || !Path.IsPathRooted(file))
            return file;
        var relative = Path.GetRelativePath(_root, file);
        return relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
