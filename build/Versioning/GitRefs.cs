namespace TracerBuild.Versioning;

/// <summary>
/// Everything <see cref="GitHead"/>'s answer depends on, read from the files git keeps it in: the commit HEAD points
/// to, every tag and what it points to, and a shallow clone's boundary. Equal keys give equal answers, so a cached
/// answer needs no git process. <see cref="Read"/> gives null where refs are kept some other way (reftable), history
/// is rewritten (replace refs, grafts) or the environment points git elsewhere (GIT_DIR...): git itself is asked then.
/// </summary>
public static class GitRefs
{
    /// <summary>Variables with which git would read other refs or another history than the checkout's own files.</summary>
    private static readonly string[] GitVariables = ["GIT_DIR", "GIT_COMMON_DIR", "GIT_REPLACE_REF_BASE", "GIT_NO_REPLACE_OBJECTS", "GIT_GRAFT_FILE"];

    public static string? Read(string repository)
    {
        if (GitVariables.Any(v => Environment.GetEnvironmentVariable(v) is not null))
            return null;
        try
        {
            var gitDir = GitDirectory(repository);
            if (gitDir is null)
                return null;
            var commonDir = File.Exists(Path.Combine(gitDir, "commondir"))
                ? Path.GetFullPath(File.ReadAllText(Path.Combine(gitDir, "commondir")).Trim(), gitDir)
                : gitDir;
            if (Directory.Exists(Path.Combine(commonDir, "reftable")) || File.Exists(Path.Combine(commonDir, "info", "grafts")))
                return null;

            // Plain loops over reference types: LINQ over KeyValuePair is compiled at run time, outside the
            // ReadyToRun image, and this runs on every build.
            var packed = PackedRefs(commonDir);
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, id) in packed)
                if (name.StartsWith("refs/replace/", StringComparison.Ordinal))
                    return null;
                else if (name.StartsWith("refs/tags/", StringComparison.Ordinal))
                    tags[name] = id;
            var replaceFolder = Path.Combine(commonDir, "refs", "replace");
            if (Directory.Exists(replaceFolder) && Directory.EnumerateFiles(replaceFolder, "*", SearchOption.AllDirectories).Any())
                return null;
            var tagFolder = Path.Combine(commonDir, "refs", "tags");
            if (Directory.Exists(tagFolder))
                foreach (var file in Directory.EnumerateFiles(tagFolder, "*", SearchOption.AllDirectories))
                    tags["refs/tags/" + Path.GetRelativePath(tagFolder, file).Replace('\\', '/')] = File.ReadAllText(file).Trim(); // a loose ref overrides a packed one
            if (Resolve("HEAD", gitDir, commonDir, packed) is not { } head)
                return null;

            var shallow = Path.Combine(commonDir, "shallow");
            var lines = new List<string> { $"HEAD {head}", $"shallow {(File.Exists(shallow) ? ContentHash.OfFile(shallow) : "-")}" };
            foreach (var name in tags.Keys.Order(StringComparer.Ordinal))
                lines.Add($"{name} {tags[name]}");
            return string.Join('\n', lines);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // git will say what is wrong, if anything
        }
    }

    /// <summary>.git, or where a worktree's or submodule's .git file points.</summary>
    private static string? GitDirectory(string repository)
    {
        var dotGit = Path.Combine(repository, ".git");
        if (Directory.Exists(dotGit))
            return dotGit;
        if (File.Exists(dotGit) && File.ReadAllText(dotGit).Trim() is var pointer && pointer.StartsWith("gitdir: ", StringComparison.Ordinal))
            return Path.GetFullPath(pointer["gitdir: ".Length..], repository);
        return null;
    }

    private static string? Resolve(string name, string gitDir, string commonDir, IReadOnlyDictionary<string, string> packed)
    {
        for (var depth = 0; depth < 5; depth++)
        {
            // HEAD and refs/worktree/ belong to a worktree, every other ref to the common folder.
            var loose = new[] { Path.Combine(gitDir, name), Path.Combine(commonDir, name) }.FirstOrDefault(File.Exists);
            var value = loose is not null ? File.ReadAllText(loose).Trim() : packed.GetValueOrDefault(name);
            if (value is null || !value.StartsWith("ref: ", StringComparison.Ordinal))
                return value is not null && IsObjectId(value) ? value : null;
            name = value["ref: ".Length..];
        }
        return null;
    }

    private static Dictionary<string, string> PackedRefs(string commonDir)
    {
        var refs = new Dictionary<string, string>();
        var file = Path.Combine(commonDir, "packed-refs");
        if (!File.Exists(file))
            return refs;
        foreach (var line in File.ReadLines(file))
            if (line.Split(' ', 2) is [var id, var name] && IsObjectId(id)) // skips the header and ^peeled lines
                refs[name] = id;
        return refs;
    }

    private static bool IsObjectId(string value) => value.Length is 40 or 64 && value.All(char.IsAsciiHexDigitLower);
}
