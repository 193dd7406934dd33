using System.Diagnostics.CodeAnalysis;

namespace TracerBuild;

/// <summary>A table whose rows a parameter picks (<c>--arch</c>, <c>--kernel</c>): by a row's name, a keyword for one row, or <c>all</c>.</summary>
public interface ITable<T> where T : class, ITable<T>
{
    static abstract IReadOnlyList<T> All { get; }

    /// <summary>The word naming one row whatever the machine (host, stable), and that row.</summary>
    static abstract (string Name, Func<T> Row) Keyword { get; }

    /// <summary>The parameter's name without dashes, as errors name it.</summary>
    static abstract string Parameter { get; }

    /// <summary>What the parameter accepts, as errors list it.</summary>
    static abstract string Accepted { get; }

    bool Matches(string name);
}

/// <summary>
/// One value of such a parameter and the rows it picks; the engine binds it like any IParsable, so an unknown value
/// stops the build before any work, in one line naming what is accepted.
/// </summary>
public sealed class TableRows<T> : IParsable<TableRows<T>> where T : class, ITable<T>
{
    private readonly string _text;
    private readonly Func<IEnumerable<T>> _rows;

    private TableRows(string text, Func<IEnumerable<T>> rows)
    {
        _text = text;
        _rows = rows;
    }

    /// <summary>The distinct rows the values pick, in table order; no value at all is one line naming what is accepted.</summary>
    public static IReadOnlyList<T> Union(IReadOnlyCollection<TableRows<T>> values)
    {
        if (values.Count == 0)
            throw new BuildInputException($"--{T.Parameter} needs a value. Accepted: {T.Accepted}.");
        var picked = values.SelectMany(v => v._rows()).ToHashSet();
        return [.. T.All.Where(picked.Contains)];
    }

    public static TableRows<T> Parse(string s, IFormatProvider? provider) =>
        TryParse(s, provider, out var rows) ? rows : throw new FormatException($"Unknown {T.Parameter} '{s}'. Accepted: {T.Accepted}.");

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out TableRows<T> result)
    {
        var (keyword, row) = T.Keyword;
        result = s is null ? null
            : s.Equals("all", StringComparison.OrdinalIgnoreCase) ? new(s, () => T.All)
            // The keyword's row is found when the rows are asked for: the host's arch may be one the table lacks.
            : s.Equals(keyword, StringComparison.OrdinalIgnoreCase) ? new(s, () => [row()])
            : T.All.FirstOrDefault(r => r.Matches(s)) is { } named ? new(s, () => [named])
            : null;
        return result is not null;
    }

    public override string ToString() => _text;
}
