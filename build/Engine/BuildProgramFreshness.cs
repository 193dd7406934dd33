namespace Engine;

/// <summary>
/// Whether the compiled build program is older than what it is compiled from: anything under <c>build/</c> except
/// its projects' <c>bin</c> and <c>obj</c> folders, and the files every .NET build of the repository reads. Folders count too, since
/// adding or deleting a file touches its folder. build.cmd asks this through <see cref="StampVariable"/>, because batch
/// cannot compare file times; build.sh asks find(1) the same question so that it can exec the program.
/// </summary>
public static class BuildProgramFreshness
{
    /// <summary>Set by build.cmd to the file it touches after each compile of the build program.</summary>
    public const string StampVariable = "BUILD_ENGINE_STAMP";

    /// <summary>EX_TEMPFAIL: the program did nothing because it must be compiled first; build.cmd compiles it and starts it again.</summary>
    public const int StaleExitCode = 75;

    /// <summary>Files every .NET build of the repository reads besides its project, relative to the root.</summary>
    public static readonly string[] SharedBuildFiles = ["global.json", "Directory.Build.props", "Directory.Packages.props"];

    /// <summary>True when the stamp is missing or anything the program is compiled from is newer than it.</summary>
    public static bool IsStale(string rootDirectory, string stamp)
    {
        if (!File.Exists(stamp))
            return true;
        var compiled = File.GetLastWriteTimeUtc(stamp);
        return SharedBuildFiles.Any(f => File.GetLastWriteTimeUtc(Path.Combine(rootDirectory, f)) > compiled)
               || NewerUnder(new DirectoryInfo(Path.Combine(rootDirectory, "build")), compiled);
    }

    private static bool NewerUnder(DirectoryInfo folder, DateTime compiled) =>
        folder.LastWriteTimeUtc > compiled
        || folder.EnumerateFileSystemInfos().Any(entry => entry is DirectoryInfo subfolder
            ? subfolder.Name is not ("bin" or "obj") && NewerUnder(subfolder, compiled)
            : entry.LastWriteTimeUtc > compiled);
}
