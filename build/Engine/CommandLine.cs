namespace Engine;

/// <summary>The command line as options: <c>--name [value...]</c> or <c>--name=value</c>, names case-insensitive.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<string> Names => _options.Keys;

    public bool Has(string name) => _options.ContainsKey(name);

    public IReadOnlyList<string>? Values(string name) => _options.GetValueOrDefault(name);

    public static CommandLine Parse(IEnumerable<string> args)
    {
        var commandLine = new CommandLine();
        List<string>? current = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var (name, inlineValue) = arg[2..].Split('=', 2) switch
                {
                    [var n, var v] => (n, v),
                    [var n] => (n, (string?)null),
                    _ => throw new InvalidOperationException(),
                };
                current = commandLine._options.TryGetValue(name, out var existing) ? existing : commandLine._options[name] = [];
                if (inlineValue is not null)
                    current.Add(inlineValue);
            }
            else if (current is null)
                throw new BuildInputException($"Unexpected argument '{arg}': arguments are options such as --target NAME (see --help).");
            else
                current.Add(arg);
        }
        return commandLine;
    }
}
