using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace TracerBuild.Vmlinux;

/// <summary>One pinned header: the versioned file name upstream and its sha256.</summary>
public sealed record VmlinuxLockEntry(string File, string Sha256);

/// <summary>The model of <c>bpf/vmlinux.lock.json</c>: which upstream commit, and per vmlinux.h dir which file and hash.</summary>
public sealed partial record VmlinuxLock(string Repository, string Commit, IReadOnlyDictionary<string, VmlinuxLockEntry> Files)
{
    public VmlinuxLockEntry For(Arch arch) =>
        Files.TryGetValue(arch.VmlinuxDir, out var entry)
            ? entry
            : throw new BuildInputException($"The vmlinux lock has no entry for '{arch.VmlinuxDir}' (needed for --arch {arch.Name}).");

    /// <summary>The lock file's text: two-space indented, dirs in ordinal order, a final newline.</summary>
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("repository", Repository);
            json.WriteString("commit", Commit);
            json.WriteStartObject("files");
            foreach (var (dir, entry) in Files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(dir);
                json.WriteString("file", entry.File);
                json.WriteString("sha256", entry.Sha256);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    public static VmlinuxLock Load(string path)
    {
        if (Directory.Exists(path))
            throw new BuildInputException($"{path} is a folder, where the file that pins the vmlinux.h headers belongs: remove it and restore the file (git checkout -- bpf/vmlinux.lock.json).");
        if (!System.IO.File.Exists(path))
            throw new BuildInputException($"{path} is missing: it pins the vmlinux.h headers the BPF code is compiled against.");
        try
        {
            return Parse(System.IO.File.ReadAllText(path));
        }
        catch (BuildInputException e)
        {
            throw new BuildInputException($"{path}: {e.Message}");
        }
    }

    public static VmlinuxLock Parse(string json)
    {
        LockFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, LockJsonContext.Default.LockFile);
        }
        catch (JsonException e)
        {
            throw new BuildInputException($"not valid JSON: {e.Message}");
        }

        if (file is null)
            throw new BuildInputException("expected an object with repository, commit and files.");
        if (file.Repository is null || !TracerBuild.GitHub.GitHubRepositoryName.IsValid(file.Repository))
            throw new BuildInputException($"'repository' must be a GitHub owner/name ({TracerBuild.GitHub.GitHubRepositoryName.Rules}), got '{file.Repository}'.");
        if (file.Commit is null || !CommitPattern().IsMatch(file.Commit))
            throw new BuildInputException($"'commit' must be a full 40-character hex commit id, got '{file.Commit}'.");
        if (file.Files is null || file.Files.Count == 0)
            throw new BuildInputException("'files' must map each vmlinux.h dir to its file and sha256.");

        var files = new Dictionary<string, VmlinuxLockEntry>(StringComparer.Ordinal);
        foreach (var (dir, entry) in file.Files)
        {
            if (!NamePattern().IsMatch(dir))
                throw new BuildInputException($"'{dir}' is not a vmlinux.h dir name.");
            if (entry?.File is null || !NamePattern().IsMatch(entry.File))
                throw new BuildInputException($"files.{dir}.file must be a plain file name such as vmlinux_6.19.h, got '{entry?.File}'.");
            if (entry.Sha256 is null || !Sha256Pattern().IsMatch(entry.Sha256))
                throw new BuildInputException($"files.{dir}.sha256 must be 64 lowercase hex digits, got '{entry.Sha256}'.");
            files[dir] = new VmlinuxLockEntry(entry.File, entry.Sha256);
        }
        return new VmlinuxLock(file.Repository, file.Commit, files);
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
    private static partial Regex NamePattern();

    internal sealed record LockFileEntry(string? File, string? Sha256);

    internal sealed record LockFile(string? Repository, string? Commit, Dictionary<string, LockFileEntry?>? Files);
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(VmlinuxLock.LockFile))]
internal sealed partial class LockJsonContext : JsonSerializerContext;
