using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Engine;

/// <summary>One <see cref="ParameterAttribute"/> field of a build class.</summary>
internal sealed class Parameter(FieldInfo member, ParameterAttribute attribute)
{
    public string MemberName => member.Name;
    public string CommandLineName => Naming.Kebab(member.Name);
    public string EnvironmentName => Naming.UpperSnake(member.Name);
    public string Description => attribute.Description;
    public bool IsSecret => member.IsDefined(typeof(SecretAttribute));
    public Type Type => member.FieldType;

    public object? GetValue(BuildBase build) => member.GetValue(build);

    public void SetValue(BuildBase build, object? value) => member.SetValue(build, value);

    public static IReadOnlyList<Parameter> Discover(BuildBase build) =>
        build.GetType()
            .GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(f => f.IsDefined(typeof(ParameterAttribute)))
            .Select(f => new Parameter(f, f.GetCustomAttribute<ParameterAttribute>()!))
            .OrderBy(p => p.CommandLineName, StringComparer.Ordinal)
            .ToList();
}

/// <summary>Sets parameter fields from, in order of precedence: the command line, the environment, <c>.nuke/parameters.json</c>.</summary>
internal static class ParameterBinder
{
    public static void Bind(
        BuildBase build,
        IReadOnlyList<Parameter> parameters,
        CommandLine commandLine,
        IReadOnlyDictionary<string, string> environment,
        string parametersFile)
    {
        var fromFile = ReadParametersFile(parametersFile, parameters);
        var workingDirectory = Directory.GetCurrentDirectory();
        foreach (var parameter in parameters)
        {
            var environmentNames = build.EnvironmentPrefix is { } prefix
                ? [$"{prefix}_{parameter.EnvironmentName}", parameter.EnvironmentName]
                : new[] { parameter.EnvironmentName };
            // An empty variable counts as unset, as CI templates set them (VERSION: ${{ inputs.version }}).
            var fromEnvironment = environmentNames.FirstOrDefault(n => environment.GetValueOrDefault(n) is { Length: > 0 });
            if (commandLine.Values(parameter.CommandLineName) is { } cliValues)
                parameter.SetValue(build, Convert(parameter, cliValues, new Source($"--{parameter.CommandLineName}", workingDirectory)));
            else if (fromEnvironment is not null)
                parameter.SetValue(build, Convert(parameter, SplitList(parameter, environment[fromEnvironment]), new Source($"environment variable {fromEnvironment}", workingDirectory)));
            else if (fromFile.TryGetValue(parameter.MemberName, out var fileValues))
                parameter.SetValue(build, Convert(parameter, fileValues, new Source($"{parametersFile} ({parameter.MemberName})", build.RootDirectory)));
        }
    }

    private static IReadOnlyList<string> SplitList(Parameter parameter, string value) =>
        parameter.Type.IsArray
            ? value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [value];

    private static Dictionary<string, IReadOnlyList<string>> ReadParametersFile(string path, IReadOnlyList<Parameter> parameters)
    {
        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(path))
            return values;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new BuildInputException($"{path} is not valid JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new BuildInputException($"{path} must hold a JSON object of parameter names and values.");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "$schema")
                    continue;
                var parameter = parameters.FirstOrDefault(p =>
                    string.Equals(p.MemberName, property.Name, StringComparison.OrdinalIgnoreCase) ||
                    string.Equals(p.CommandLineName, property.Name, StringComparison.OrdinalIgnoreCase));
                if (parameter is null)
                    throw new BuildInputException($"{path}: unknown parameter '{property.Name}'. Known: {string.Join(", ", parameters.Select(p => p.MemberName))}.");
                values[parameter.MemberName] = property.Value.ValueKind switch
                {
                    JsonValueKind.Array => property.Value.EnumerateArray().Select(JsonScalar).ToList(),
                    _ => [JsonScalar(property.Value)],
                };
            }
        }
        return values;

        string JsonScalar(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!,
            JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number => element.GetRawText(),
            _ => throw new BuildInputException($"{path}: values must be strings, numbers, booleans or arrays of them, not {element.ValueKind}."),
        };
    }

    /// <summary>Where a value came from: named in errors; relative paths are taken from its folder.</summary>
    private sealed record Source(string Name, string Directory);

    private static object Convert(Parameter parameter, IReadOnlyList<string> values, Source source)
    {
        var type = parameter.Type;
        if (type.IsArray)
        {
            var elementType = type.GetElementType()!;
            var array = Array.CreateInstance(elementType, values.Count);
            for (var i = 0; i < values.Count; i++)
                array.SetValue(ConvertOne(elementType, values[i], source), i);
            return array;
        }

        if (type == typeof(bool) && values.Count == 0)
            return true;
        if (values.Count != 1)
            throw new BuildInputException($"{source.Name} takes one value, got {values.Count}.");
        return ConvertOne(type, values[0], source);
    }

    /// <summary>The static Parse(string, IFormatProvider) of a type that implements IParsable of itself, as NUKE binds any type with a converter.</summary>
    private static MethodInfo? ParseMethod(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IParsable<>) && i.GetGenericArguments()[0] == type)
            ? type.GetMethod("Parse", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(IFormatProvider)])
            : null;

    private static object ConvertOne(Type type, string value, Source source)
    {
        // .NET decodes arguments and the environment as UTF-8, putting U+FFFD for bytes that are not: refuse, not mangle.
        if (value.Contains('\uFFFD'))
            throw new BuildInputException($"The value of {source.Name} is not valid UTF-8 (shown as '{value}'): pass it in UTF-8.");
        if (type == typeof(string))
            return value.Length > 0 ? value : throw Invalid("a value (leave the parameter out for its default)");
        if (type == typeof(AbsolutePath))
            return value.Length > 0 && !value.Contains('\0') ? AbsolutePath.From(value, source.Directory) : throw Invalid("a path");
        if (type == typeof(PathOrUrl))
            return value.Length > 0 && !value.Contains('\0') && (!value.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || Uri.IsWellFormedUriString(value, UriKind.Absolute))
                ? PathOrUrl.From(value, source.Directory)
                : throw Invalid("an http(s) URL or a path");
        if (type == typeof(bool))
            return bool.TryParse(value, out var b) ? b : throw Invalid("true or false");
        if (type == typeof(int))
            return int.TryParse(value, out var i) ? i : throw Invalid("an integer");
        if (type.IsEnum)
            return Enum.TryParse(type, value, ignoreCase: true, out var e) && Enum.IsDefined(type, e!)
                ? e!
                : throw Invalid(string.Join(" or ", Enum.GetNames(type)));
        if (ParseMethod(type) is { } parse)
        {
            // The type's own message says what it accepts.
            try
            {
                return parse.Invoke(null, [value, CultureInfo.InvariantCulture])!;
            }
            catch (TargetInvocationException thrown) when (thrown.InnerException is FormatException or ArgumentException)
            {
                throw new BuildInputException(thrown.InnerException.Message);
            }
        }
        throw new InvalidOperationException($"Parameters of type {type.Name} are not supported.");

        BuildInputException Invalid(string expected) =>
            new($"Invalid value '{value}' for {source.Name}: expected {expected}.");
    }
}
