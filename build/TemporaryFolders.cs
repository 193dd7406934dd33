using System.Diagnostics;

namespace TracerBuild;

/// <summary>
/// Every temporary folder of the build, in one place: <c>artifacts/obj/tmp/&lt;pid&gt;.&lt;purpose&gt;</c>, named after
/// the process that made it (build.sh's compile of the build program, which then becomes the build, names its own
/// the same way). A process that dies in the middle (a kill during a dotnet call) leaves its folder, and the next build
/// removes every folder whose process is gone, under the build lock.
/// </summary>
public sealed class TemporaryFolders(AbsolutePath root)
{
    /// <summary>A new folder for <paramref name="purpose"/>, deleted when disposed.</summary>
    public Folder Create(string purpose) => new(root / $"{Environment.ProcessId}.{purpose}.{Guid.NewGuid():N}");

    /// <summary>Deletes the folders of processes that are gone; returns them, for the log.</summary>
    public IReadOnlyList<AbsolutePath> SweepLeftovers()
    {
        var leftovers = root.GetDirectories().Where(d => !IsAlive(d.Name)).ToList();
        foreach (var folder in leftovers)
            folder.DeleteDirectory();
        return leftovers;
    }

    /// <summary>Whether the process a folder is named after runs (a name without one is nobody's).</summary>
    private static bool IsAlive(string name)
    {
        if (!int.TryParse(name.Split('.')[0], out var pid))
            return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public sealed class Folder : IDisposable
    {
        internal Folder(AbsolutePath path) => Path = path.CreateDirectory();

        public AbsolutePath Path { get; }

        public void Dispose() => Path.DeleteDirectory();
    }
}
