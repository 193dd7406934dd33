namespace TracerBuild.GitHub;

/// <summary>
/// install.sh as a release publishes it: the repository's script with its repository and its arch table filled in, so the
/// script names no arch itself (the table is <see cref="Arch"/>) and downloads from the repository it was published by.
/// </summary>
public static class InstallScript
{
    public const string FileName = "install.sh";

    /// <summary>Each <c>uname -m</c> name (and alias) an arch goes by, with its tarball's RID: <c>x86_64=linux-x64 ...</c>.</summary>
    public static string ArchTable =>
        string.Join(' ', Arch.All.SelectMany(a => a.Aliases.Prepend(a.Machine).Append(a.Name).Distinct().Select(name => $"{name}={a.Rid}")));

    public static string Render(string script, string repository) =>
        Fill(Fill(script, "repository", repository), "arches", ArchTable);

    /// <summary>Writes the published copy of <paramref name="template"/> for <paramref name="repository"/>; returns its path.</summary>
    public static string Write(string template, string artifacts, string repository)
    {
        var path = Path.Combine(artifacts, FileName);
        AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(Render(File.ReadAllText(template), repository)));
        return path;
    }

    private static string Fill(string script, string variable, string value)
    {
        var empty = $"\n{variable}=''\n";
        var at = script.IndexOf(empty, StringComparison.Ordinal);
        if (at < 0 || script.IndexOf(empty, at + 1, StringComparison.Ordinal) >= 0)
            throw new Engine.BuildFailedException($"{FileName} must have exactly one line {variable}='' for the Release target to fill in.");
        return string.Concat(script.AsSpan(0, at), $"\n{variable}='{value}'\n", script.AsSpan(at + empty.Length));
    }
}
