namespace Tracer.Output;

/// <summary>
/// Hides secrets in an exec event's argv and environment before they are printed: values whose name looks
/// secret, and the argument after an option that names a secret. Over-redaction is acceptable; a leak is not.
/// </summary>
internal static class SecretRedaction
{
    public const string Mask = "***";

    /// <summary>A name containing one of these, in any case, looks secret (the README lists them from here).</summary>
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

    /// <summary>
    /// "NAME=value" (an environment entry, or an argument such as --password=value) with a secret-looking NAME
    /// becomes "NAME=***"; anything else, an empty value included, is returned as is, without allocating.
    /// </summary>
    public static string RedactAssignment(string entry)
    {
        var equals = entry.IndexOf('=');
        if (equals < 0 || equals == entry.Length - 1 || !LooksSecret(entry.AsSpan(0, equals)))
            return entry;
        return string.Concat(entry.AsSpan(0, equals + 1), Mask);
    }

    /// <summary>
    /// Redacts assignments in place, and replaces the argument after an option naming a secret without a value
    /// (mysql --password hunter2). args[0], the program, is left as it is.
    /// </summary>
    public static void RedactArguments(IList<string> args)
    {
        var afterSecretOption = false;
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            args[i] = afterSecretOption && arg.Length > 0 ? Mask : RedactAssignment(arg);
            // Judged on the original even when it was just masked: in "--password --token x" the second option
            // may be the password or an option of its own, so x is hidden either way.
            afterSecretOption = arg.StartsWith('-') && !arg.Contains('=') && LooksSecret(arg);
        }
    }

    public static void RedactEnvironment(IList<string> env)
    {
        for (var i = 0; i < env.Count; i++)
            env[i] = RedactAssignment(env[i]);
    }
}
