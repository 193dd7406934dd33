namespace Engine;

/// <summary>
/// An absolute file or folder path, combined with <c>/</c> as in NUKE (<c>Root / "artifacts" / "obj"</c>). As a
/// parameter it is made absolute when bound: a relative value from the command line or the environment is taken from
/// the folder the build was started in, one from <c>.nuke/parameters.json</c> from the repository root (where that file
/// lives); a leading <c>~</c> is the home folder.
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

    /// <summary>A path that must already be absolute, such as one the engine or the system gave.</summary>
    public static AbsolutePath Of(string absolute) =>
        System.IO.Path.IsPathFullyQualified(absolute)
            ? new AbsolutePath(System.IO.Path.GetFullPath(absolute))
            : throw new ArgumentException($"'{absolute}' is not an absolute path.", nameof(absolute));

    public static AbsolutePath operator /(AbsolutePath folder, string relative) => new(System.IO.Path.GetFullPath(System.IO.Path.Combine(folder.Path, relative)));

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(path))]
    public static implicit operator string?(AbsolutePath? path) => path?.Path;

    public AbsolutePath Parent => new(System.IO.Path.GetDirectoryName(Path) ?? Path);

    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>This path relative to <paramref name="folder"/>, for messages.</summary>
    public string RelativeTo(AbsolutePath folder) => System.IO.Path.GetRelativePath(folder.Path, Path);

    // What targets do with paths, named as in NUKE's AbsolutePath extensions.

    public bool FileExists() => File.Exists(Path);

    public bool DirectoryExists() => Directory.Exists(Path);

    /// <summary>Creates the folder and its parents where missing; returns the path.</summary>
    public AbsolutePath CreateDirectory()
    {
        Directory.CreateDirectory(Path);
        return this;
    }

    /// <summary>Deletes the folder and everything in it, if it exists.</summary>
    public void DeleteDirectory()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }

    /// <summary>Deletes the file, if it exists.</summary>
    public void DeleteFile() => File.Delete(Path);

    /// <summary>The files in the folder matching <paramref name="pattern"/>, in its subfolders too when <paramref name="recursive"/>; none when it does not exist.</summary>
    public IEnumerable<AbsolutePath> GetFiles(string pattern = "*", bool recursive = false) =>
        Directory.Exists(Path)
            ? Directory.EnumerateFiles(Path, pattern, recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly).Select(f => new AbsolutePath(f))
            : [];

    /// <summary>The folder's subfolders (in theirs too when <paramref name="recursive"/>); none when it does not exist.</summary>
    public IEnumerable<AbsolutePath> GetDirectories(bool recursive = false) =>
        Directory.Exists(Path)
            ? Directory.EnumerateDirectories(Path, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly).Select(d => new AbsolutePath(d))
            : [];

    public long FileLength() => new FileInfo(Path).Length;

    public byte[] ReadAllBytes() => File.ReadAllBytes(Path);

    public void WriteAllText(string text) => File.WriteAllText(Path, text);

    /// <summary>Copies this file to <paramref name="target"/>, replacing it, its folder made where missing.</summary>
    public void CopyTo(AbsolutePath target)
    {
        target.Parent.CreateDirectory();
        File.Copy(Path, target.Path, overwrite: true);
    }

    public override string ToString() => Path;
}

/// <summary>
/// A parameter naming either an http(s) URL or a file or folder: the path (a <c>file://</c> URL counts as one) is made
/// absolute exactly as an <see cref="AbsolutePath"/> parameter is.
/// </summary>
public sealed record PathOrUrl
{
    private PathOrUrl(string? url, AbsolutePath? path)
    {
        Url = url;
        Path = path;
    }

    /// <summary>The URL as given, without a trailing slash; null for a path.</summary>
    public string? Url { get; }

    public AbsolutePath? Path { get; }

    public static PathOrUrl From(string value, string baseDirectory) =>
        value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? new PathOrUrl(value.TrimEnd('/'), null)
            : new PathOrUrl(null, AbsolutePath.From(value.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(value).LocalPath : value, baseDirectory));

    public override string ToString() => Url ?? Path!.Path;
}
