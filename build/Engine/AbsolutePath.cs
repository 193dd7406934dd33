namespace Engine;

/// <summary>
/// A parameter naming a file or folder, made absolute when bound: a relative value from the command line or the
/// environment is taken from the folder the build was started in, one from <c>.nuke/parameters.json</c> from the
/// repository root (where that file lives); a leading <c>~</c> is the home folder.
/// </summary>
public sealed record AbsolutePath
{
    private AbsolutePath(string path) => Path = path;

    public string Path { get; }

    public static AbsolutePath From(string value, string baseDirectory)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var expanded = value == "~" ? home
            : value.StartsWith("~/", StringComparison.Ordinal) ? System.IO.Path.Combine(home, value[2..])
            : value;
        return new AbsolutePath(System.IO.Path.GetFullPath(expanded, baseDirectory));
    }

    public override string ToString() => Path;
}
