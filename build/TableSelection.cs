namespace TracerBuild;

/// <summary>A parameter's values that pick rows of a table (<c>--arch</c>, <c>--kernel</c>): row names, a keyword for one row, or <c>all</c>.</summary>
public static class TableSelection
{
    /// <summary>The distinct rows named, in table order; an unknown or missing value is one line naming what is accepted.</summary>
    public static IReadOnlyList<T> Parse<T>(
        IEnumerable<string> names, string parameter, IReadOnlyList<T> table, (string Name, T Row) keyword, Func<T, string, bool> matches, string accepted)
        where T : notnull
    {
        var selected = new HashSet<T>();
        foreach (var name in names)
        {
            if (name.Equals("all", StringComparison.OrdinalIgnoreCase))
                selected.UnionWith(table);
            else if (name.Equals(keyword.Name, StringComparison.OrdinalIgnoreCase))
                selected.Add(keyword.Row);
            else
                selected.Add(table.FirstOrDefault(row => matches(row, name))
                    ?? throw new BuildInputException($"Unknown {parameter.TrimStart('-')} '{name}'. Accepted: {accepted}."));
        }
        if (selected.Count == 0)
            throw new BuildInputException($"{parameter} needs a value. Accepted: {accepted}.");
        return table.Where(selected.Contains).ToList();
    }
}
