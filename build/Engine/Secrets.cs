namespace Engine;

/// <summary>The values of the bound <see cref="SecretAttribute"/> parameters, kept out of everything the engine prints.</summary>
internal sealed class Secrets(IReadOnlyList<string> values)
{
    public static Secrets None { get; } = new([]);

    /// <summary>Shorter values are refused: no real secret is that short, and redacting one would blank it out of every line.</summary>
    public const int MinimumLength = 8;

    public static Secrets Of(BuildBase build, IEnumerable<Parameter> parameters)
    {
        var secrets = parameters.Where(p => p.IsSecret).Select(p => new SecretValue(p, p.GetValue(build) as string ?? "")).Where(s => s.Value.Length > 0).ToList();
        if (secrets.FirstOrDefault(s => s.Value.Length < MinimumLength) is { Parameter: var tooShort, Value: var value })
        {
            throw new BuildInputException(
                $"--{tooShort.CommandLineName} ({tooShort.EnvironmentName}) is {value.Length} character(s) long, too short to be a real secret " +
                $"(at least {MinimumLength}): set the real one, or unset it.");
        }
        return new(secrets.Select(s => s.Value).ToList());
    }

    /// <summary>A class, not a tuple: LINQ over a struct is compiled at run time, outside the ReadyToRun image.</summary>
    private sealed record SecretValue(Parameter Parameter, string Value);

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
