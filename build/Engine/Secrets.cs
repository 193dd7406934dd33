namespace TracerBuild.Engine;

/// <summary>The values of the bound <see cref="SecretAttribute"/> parameters, kept out of everything the engine prints.</summary>
internal sealed class Secrets(IReadOnlyList<string> values)
{
    public static Secrets None { get; } = new([]);

    public static Secrets Of(BuildBase build, IEnumerable<Parameter> parameters) =>
        new(parameters.Where(p => p.IsSecret).Select(p => p.GetValue(build)).OfType<string>().Where(v => v.Length > 0).ToList());

    /// <summary>Under GitHub Actions, asks the runner to mask the values in the log, whatever prints them later.</summary>
    public void MaskUnderActions(IReadOnlyDictionary<string, string> environment, TextWriter output)
    {
        if (!GitHubActions.IsRunningUnder(environment))
            return;
        foreach (var value in values)
            output.WriteLine(GitHubActions.Mask(value));
    }

    public string Redact(string text) =>
        values.Aggregate(text, (redacted, value) => redacted.Replace(value, "***", StringComparison.Ordinal));
}
