using System.Text;
using TracerBuild.Engine;

namespace TracerBuild.Vmlinux;

/// <summary>
/// Pinned headers on disk, one file per commit, dir and file name. A stamp beside each (size, mtime, sha256) lets a warm
/// build trust the file without hashing it; a lock file serialises builds filling the same entry.
/// </summary>
public sealed class VmlinuxCache(string root)
{
    private static readonly TimeSpan LockPatience = TimeSpan.FromMinutes(10);

    public string PathOf(string commit, string dir, string file) => Path.Combine(root, "vmlinux", commit, dir, file);

    /// <summary>True when the file is there with the expected hash.</summary>
    public bool Holds(string path, string sha256)
    {
        if (!File.Exists(path))
            return false;
        var stamp = StampOf(path, sha256);
        if (File.Exists(path + ".stamp") && File.ReadAllText(path + ".stamp") == stamp)
            return true;
        if (Sha256.OfFile(path) != sha256)
            return false;
        AtomicFile.Write(path + ".stamp", Encoding.UTF8.GetBytes(stamp));
        return true;
    }

    public void Store(string path, byte[] bytes, string sha256)
    {
        AtomicFile.Write(path, bytes);
        AtomicFile.Write(path + ".stamp", Encoding.UTF8.GetBytes(StampOf(path, sha256)));
    }

    /// <summary>
    /// Waits for the entry's lock (an flock, released even when a build is killed) and clears what a killed build
    /// may have left half-written.
    /// </summary>
    public IDisposable Lock(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var held = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                foreach (var leftover in Directory.EnumerateFiles(folder, Path.GetFileName(path) + "*" + AtomicFile.TemporaryMarker + "*"))
                    File.Delete(leftover);
                return held;
            }
            catch (IOException) when (waited.Elapsed < LockPatience)
            {
                Thread.Sleep(100);
            }
            catch (IOException)
            {
                throw new BuildFailedException($"Another build has held {path}.lock for {LockPatience.TotalMinutes:0} minutes; is it stuck?");
            }
        }
    }

    private static string StampOf(string path, string sha256)
    {
        var info = new FileInfo(path);
        return $"{info.Length} {info.LastWriteTimeUtc.Ticks} {sha256}";
    }
}
