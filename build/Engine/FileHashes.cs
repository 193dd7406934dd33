using System.Text.Json;

namespace Engine;

/// <summary>
/// Content hashes of files, remembered across runs by path, size and mtime, so a warm build hashes only what changed.
/// Kept in <c>.nuke/temp/file-hashes.json</c>.
/// </summary>
internal sealed class FileHashes
{
    private readonly string _path;
    private readonly Dictionary<string, Entry> _entries;
    private bool _changed;

    private FileHashes(string path, Dictionary<string, Entry> entries)
    {
        _path = path;
        _entries = entries;
    }

    public sealed record Entry(long Size, long MtimeTicks, string Sha256);

    public static FileHashes Load(string path)
    {
        try
        {
            var entries = File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), EngineJsonContext.Default.DictionaryStringEntry) : null;
            return new FileHashes(path, entries ?? []);
        }
        catch (JsonException)
        {
            return new FileHashes(path, []); // a damaged cache only costs hashing again
        }
    }

    /// <summary>The file's sha256, or null when it does not exist.</summary>
    public string? Of(string file)
    {
        var info = new FileInfo(file);
        if (!info.Exists)
            return null;
        if (_entries.TryGetValue(file, out var known) && known.Size == info.Length && known.MtimeTicks == info.LastWriteTimeUtc.Ticks)
            return known.Sha256;
        var hash = Sha256.OfFile(file);
        _entries[file] = new Entry(info.Length, info.LastWriteTimeUtc.Ticks, hash);
        _changed = true;
        return hash;
    }

    public void Save()
    {
        if (!_changed)
            return;
        var gone = _entries.Keys.Where(f => !File.Exists(f)).ToList();
        gone.ForEach(f => _entries.Remove(f));
        AtomicFile.Write(_path, JsonSerializer.SerializeToUtf8Bytes(_entries, EngineJsonContext.Default.DictionaryStringEntry));
        _changed = false;
    }
}
