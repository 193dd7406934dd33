[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace TracerBuild.Tests;

/// <summary>Where the repository and the shared vmlinux mirror are, and running ./build.sh in it.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared/vmlinux-mirror beside the repository: the pinned upstream headers, for tests that must not leave the machine.</summary>
    public static string VmlinuxMirror
    {
        get
        {
            var mirror = Path.GetFullPath(Path.Combine(Root, "..", "shared", "vmlinux-mirror"));
            return Directory.Exists(mirror)
                ? mirror
                : throw new InvalidOperationException($"{mirror} is missing: the tests serve the pinned vmlinux.h files from it (check out shared/ beside the repository).");
        }
    }

    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>build.sh's rule: the dotnet verb that compiles the build program here (ReadyToRun on x64), and where it goes.</summary>
    public static (string Verb, string RelativePath) BuildProgram { get; } =
        System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64
            ? ("publish", "build/bin/ReadyToRun/_build.dll")
            : ("build", "build/bin/Debug/net10.0/_build.dll");

    /// <summary>
    /// The loopback servers live in this process; tests that block on builds must not starve the pool threads that serve
    /// them, or a fault test would see a timeout it did not ask for.
    /// </summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void KeepThreadsForServers() => ThreadPool.SetMinThreads(32, 32);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".nuke")))
                return dir.FullName;
        }
        throw new InvalidOperationException("The tests run from inside the repository (no .nuke folder above them).");
    }
}
