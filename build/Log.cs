namespace TracerBuild;

/// <summary>The build's log: whole lines, prefixed with the arch while arches run in parallel.</summary>
public static class Log
{
    private static readonly AsyncLocal<string?> CurrentPrefix = new();
    private static readonly Lock Gate = new();

    /// <summary>The prefix of the current flow of work, for handing to threads it does not flow to.</summary>
    public static string? Prefix => CurrentPrefix.Value;

    public static void Line(string text) => Line(text, CurrentPrefix.Value);

    public static void Line(string text, string? prefix)
    {
        lock (Gate)
            Console.WriteLine(prefix is null ? text : $"[{prefix}] {text}");
    }

    /// <summary>Prefixes this flow's lines until disposed.</summary>
    public static IDisposable PrefixedWith(string prefix)
    {
        var previous = CurrentPrefix.Value;
        CurrentPrefix.Value = prefix;
        return new Restore(() => CurrentPrefix.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
