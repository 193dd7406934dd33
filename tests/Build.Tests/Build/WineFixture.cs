namespace TracerBuild.Tests;

/// <summary>
/// build.cmd for real, under wine (Debian's wine64; Preflight installs it, and mingw-w64 for the stub, for --target Test --windows-tests).
/// There is no Windows dotnet here, so DOTNET_EXE is a stub compiled from WindowsDotnetStub.c that logs each call and
/// exits with the codes a test chooses.
/// </summary>
public sealed class WineFixture : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string? _wine = new[] { "/usr/lib/wine/wine64", WorkflowLinters.OnPath("wine64"), WorkflowLinters.OnPath("wine") }
        .FirstOrDefault(File.Exists);

    public WineFixture()
    {
        var compiler = WorkflowLinters.OnPath("x86_64-w64-mingw32-gcc");
        Missing = _wine is null ? "wine64 is not installed (./build.sh --target Test --windows-tests installs it)."
            : compiler is null ? "x86_64-w64-mingw32-gcc is not installed (./build.sh --target Test --windows-tests installs gcc-mingw-w64-x86-64-win32)."
            : null;
        if (Missing is not null)
            return;
        Stub = Path.Combine(_temp.Path, "dotnet.exe");
        Programs.Run(compiler!, ["-O", "-Wall", "-Werror", "-o", Stub, Path.Combine(Repository.Root, "tests", "Build.Tests", "Build", "WindowsDotnetStub.c")], echo: false);
        // Creating the prefix takes a while and talks on stderr; done once here, so that the tests see only build.cmd.
        Programs.Run("/usr/bin/env", ["-i", .. Environment(), _wine!, "cmd", "/c", "exit"], echo: false);
    }

    /// <summary>Why build.cmd cannot be run here; null when it can.</summary>
    public string? Missing { get; }

    public string Stub { get; } = "";

    /// <summary>cmd /c build.cmd in a checkout, with only these variables (and wine's own) in the environment.</summary>
    public ProcessResult BuildCmd(string checkout, IEnumerable<string> variables, params string[] arguments) =>
        Programs.TryRun("/usr/bin/env", ["-i", .. Environment(), .. variables, _wine!, "cmd", "/c", "build.cmd", .. arguments],
            workingDirectory: checkout);

    /// <summary>Wine maps Z: to /.</summary>
    public static string WindowsPath(string path) => "Z:" + path.Replace('/', '\\');

    private string[] Environment() =>
        [$"HOME={_temp.Path}", $"WINEPREFIX={Path.Combine(_temp.Path, "prefix")}", "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml="];

    public void Dispose()
    {
        // The prefix's wineserver lingers a few seconds after its last program; it must not outlive its folder.
        if (_wine is not null && File.Exists(Path.Combine(Path.GetDirectoryName(_wine)!, "wineserver")))
            Programs.TryRun("/usr/bin/env", ["-i", .. Environment(), Path.Combine(Path.GetDirectoryName(_wine)!, "wineserver"), "-k"]);
        _temp.Dispose();
    }
}
