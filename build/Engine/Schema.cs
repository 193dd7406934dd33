using System.Text;
using System.Text.Json;

namespace Engine;

/// <summary>
/// <c>.nuke/build.schema.json</c>: a JSON schema of <c>.nuke/parameters.json</c> made from the parameters, so editors
/// complete and check it. The build rewrites it whenever the parameters change.
/// </summary>
internal static class Schema
{
    public static string Generate(BuildBase build, IReadOnlyList<Parameter> parameters)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("$schema", "http://json-schema.org/draft-07/schema#");
            json.WriteString("title", "Build parameters (.nuke/parameters.json)");
            json.WriteString("type", "object");
            json.WriteStartObject("properties");
            json.WriteStartObject("$schema");
            json.WriteString("type", "string");
            json.WriteEndObject();
            foreach (var parameter in parameters.OrderBy(p => p.MemberName, StringComparer.Ordinal))
            {
                json.WriteStartObject(parameter.MemberName);
                json.WriteString("description", parameter.Description);
                WriteType(json, parameter.Type);
                if (!parameter.IsSecret && parameter.GetValue(build) is { } value)
                    WriteDefault(json, value);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteBoolean("additionalProperties", false);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Writes the schema when it differs from the file's; true when it did.</summary>
    public static bool Update(string path, string schema)
    {
        if (File.Exists(path) && File.ReadAllText(path) == schema)
            return false;
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(schema));
        return true;
    }

    private static void WriteType(Utf8JsonWriter json, Type type)
    {
        if (type.IsArray)
        {
            json.WriteString("type", "array");
            json.WriteStartObject("items");
            WriteType(json, type.GetElementType()!);
            json.WriteEndObject();
            return;
        }
        if (type.IsEnum)
        {
            json.WriteString("type", "string");
            json.WriteStartArray("enum");
            foreach (var name in Enum.GetNames(type))
                json.WriteStringValue(name);
            json.WriteEndArray();
            return;
        }
        json.WriteString("type", type == typeof(bool) ? "boolean" : type == typeof(int) ? "integer" : "string");
    }

    private static void WriteDefault(Utf8JsonWriter json, object value)
    {
        json.WritePropertyName("default");
        switch (value)
        {
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int i:
                json.WriteNumberValue(i);
                break;
            case Array a:
                json.WriteStartArray();
                foreach (var item in a)
                    json.WriteStringValue(item?.ToString());
                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(value.ToString());
                break;
        }
    }
}
