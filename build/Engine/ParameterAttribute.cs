namespace Engine;

/// <summary>Marks a field of the build class as a parameter: <c>--kebab-name</c>, <c>UPPER_SNAKE</c> or <c>.nuke/parameters.json</c>.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class ParameterAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}

/// <summary>A parameter whose value is never printed.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class SecretAttribute : Attribute;
