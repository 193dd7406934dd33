
namespace TracerBuild.Vmlinux;

/// <summary>
/// Pinned headers on disk, one file per commit, dir and file name. An entry is trusted only when its content hashes to
/// the lock's sha256, checked on every use (about 3 ms a header): no stamp vouches for it, so a byte changed on disk
/// with size and mtime kept is caught. A lock file serialises builds filling the same entry.
/// </summary>
public sealed class VmlinuxCache(AbsolutePath root)
{
    private static readonly TimeSpan LockPatience = TimeSpan.FromMinutes(10);

    public enum Entry
    {
        Missing,
        Good,
        Damaged,
    }

    public AbsolutePath PathOf(string commit, string dir, string file) => root / "vmlinux" / commit / dir / file;

    /// <summary>Whether the file is there with the expected content; reading it needs no write access.</summary>
    public static Entry Check(string path, string sha256) =>
        !File.Exists(path) ? Entry.Missing
        : Sha256.OfFile(path) == sha256 ? Entry.Good
        : Entry.Damaged;

    public void Store(string path, byte[] bytes) => Writing(() => AtomicFile.Write(path, bytes));

    /// <summary>
    /// Waits for the entry's lock (an flock, released even when a build is killed) and clears what a killed build
    /// may have left half-written.
    /// </summary>
    public IDisposable Lock(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        Writing(() => Directory.CreateDirectory(folder));
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
            catch (IOException e) when (BuildLock.IsHeldElsewhere(e) && waited.Elapsed < LockPatience)
            {
                Thread.Sleep(100);
            }
            catch (IOException e) when (BuildLock.IsHeldElsewhere(e))
            {
                throw new BuildFailedException($"Another build has held {path}.lock for {LockPatience.TotalMinutes:0} minutes; is it stuck?");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Unwritable(e);
            }
        }
    }

    private void Writing(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unwritable(e);
        }
    }

    private BuildFailedException Unwritable(Exception e) =>
        new($"Cannot write to the vmlinux.h cache {root}: " +
            $"{(e is DirectoryNotFoundException ? "a part of its path is not a folder" : e.Message)}. Fix that folder or point --cache-dir elsewhere.");
}
