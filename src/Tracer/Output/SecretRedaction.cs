namespace Tracer.Output;

/// <summary>
/// Replaces the values of secret-looking names in an exec's argv and environment before any output: <c>NAME=value</c>
/// with a secret-looking NAME (<c>API_TOKEN=...</c>, <c>--password=...</c>) keeps the name, and an option that is only a
/// secret-looking name (<c>--password</c>) has the argument after it replaced. Over-redaction (SSH_AUTH_SOCK) is the
/// price of catching names nobody listed.
/// </summary>
internal static class SecretRedaction
{
    public const string Mask = "***";

    /// <summary>A name containing any of these, in any case, looks secret.</summary>
    public static readonly string[] SecretWords = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "AUTH"];

    public static bool LooksSecret(ReadOnlySpan<char> name)
    {
        foreach (var word in SecretWords)
        {
            if (name.Contains(word, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    /// <summary>"NAME=***" for a secret-looking NAME with a value; otherwise the same string.</summary>
    public static string RedactAssignment(string entry)
    {
        var equals = entry.IndexOf('=');
        return equals > 0 && equals < entry.Length - 1 && LooksSecret(entry.AsSpan(0, equals)) ? string.Concat(entry.AsSpan(0, equals + 1), Mask) : entry;
    }

    /// <summary>In place; argv[0], the program, is left as it is.</summary>
    public static void RedactArguments(IList<string> args)
    {
        for (var i = 1; i < args.Count; i++)
        {
            var argument = args[i];
            args[i] = RedactAssignment(argument);
            if (argument.StartsWith('-') && !argument.Contains('=') && LooksSecret(argument) && i + 1 < args.Count && args[i + 1].Length > 0)
                args[++i] = Mask;
        }
    }

    public static void RedactEnvironment(IList<string> env)
    {
        for (var i = 0; i < env.Count; i++)
            env[i] = RedactAssignment(env[i]);
    }
}
