namespace Engine;

internal static class Help
{
    public static void Print(
        TextWriter console,
        BuildBase build,
        IReadOnlyList<TargetDefinition> targets,
        Planner planner,
        IReadOnlyList<Parameter> parameters,
        Target defaultTarget)
    {
        console.WriteLine("Usage: ./build.sh [--target T...] [--skip [T...]] [--plan] [--force] [--parameter value...]");
        console.WriteLine();
        console.WriteLine("Targets:");
        foreach (var target in targets.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var marker = target.IsDeclaredBy(defaultTarget) ? " (default)" : "";
            var dependencies = target.Dependencies.Select(d => planner.Resolve(d).Name).ToList();
            var after = dependencies.Count > 0 ? $" [after {string.Join(", ", dependencies)}]" : "";
            console.WriteLine($"  {target.Name + marker,-22} {target.DescriptionText}{after}");
        }
        console.WriteLine();
        console.WriteLine($"Parameters (command line --kebab-case; environment UPPER_SNAKE{(build.EnvironmentPrefix is { } prefix ? $" or {prefix}_UPPER_SNAKE" : "")}; .nuke/parameters.json):");
        foreach (var parameter in parameters)
        {
            var value = parameter.IsSecret ? "<secret>" : Describe(parameter.GetValue(build));
            var defaultText = value.Length > 0 ? $" [default: {value}]" : "";
            console.WriteLine($"  --{parameter.CommandLineName,-20} {parameter.Description}{defaultText}");
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "",
        string s => s,
        Array a => string.Join(" ", a.Cast<object>()),
        bool b => b ? "true" : "false",
        _ => value.ToString() ?? "",
    };
}
