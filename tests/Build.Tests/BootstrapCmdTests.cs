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
        Programs.Run(compiler!, ["-O", "-Wall", "-Werror", "-o", Stub, Path.Combine(Repository.Root, "tests", "Build.Tests", "WindowsDotnetStub.c")], echo: false);
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

/// <summary>build.cmd: the program runs at once when fresh; compiled first when it says it is stale or was never compiled.</summary>
public sealed class BootstrapCmdTests(WineFixture wine) : IClassFixture<WineFixture>, IDisposable
{
    private static readonly string[] Arguments = ["--target", "Package", "--vmlinux-mirror", @"C:\a mirror"];
    private const string Logged = @"[--target] [Package] [--vmlinux-mirror] [C:\a mirror]";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A checkout with a space in its path: build.cmd, global.json and, when compiled, the program.</summary>
    private string Checkout(bool compiled)
    {
        var checkout = Directory.CreateDirectory(Path.Combine(_temp.Path, "my checkout")).FullName;
        File.Copy(Path.Combine(Repository.Root, "build.cmd"), Path.Combine(checkout, "build.cmd"));
        File.Copy(Path.Combine(Repository.Root, "global.json"), Path.Combine(checkout, "global.json"));
        if (compiled)
        {
            Directory.CreateDirectory(Path.Combine(checkout, "build", "bin", "Debug", "net10.0"));
            File.WriteAllText(Path.Combine(checkout, "build", "bin", "Debug", "net10.0", "_build.dll"), "");
        }
        return checkout;
    }

    private static string Program(string checkout) => WineFixture.WindowsPath(Path.Combine(checkout, "build", "bin", "Debug", "net10.0", "_build.dll"));

    private static string Stamp(string checkout) => Path.Combine(checkout, ".nuke", "temp", "build-program.stamp");

    private static string Compile(string checkout) =>
        $"|[build] [{WineFixture.WindowsPath(Path.Combine(checkout, "build", "_build.csproj"))}] [-nologo] [-v] [quiet] [-tl:off] [--disable-build-servers]";

    /// <summary>build.cmd with the stub as DOTNET_EXE answering with these exit codes; its calls, one line each.</summary>
    private (ProcessResult Result, string[] Calls) Run(string checkout, string exitCodes)
    {
        Assert.SkipWhen(wine.Missing is not null, wine.Missing ?? "");
        var log = Path.Combine(_temp.Path, "calls.log");
        var result = wine.BuildCmd(checkout,
            [$"DOTNET_EXE={WineFixture.WindowsPath(wine.Stub)}", $"STUB_LOG={WineFixture.WindowsPath(log)}", $"STUB_EXIT_CODES={exitCodes}"],
            Arguments);
        return (result, File.Exists(log) ? File.ReadAllLines(log) : []);
    }

    [Fact]
    public void A_fresh_program_is_started_once_with_the_stamp_and_nothing_is_compiled()
    {
        var checkout = Checkout(compiled: true);

        var (result, calls) = Run(checkout, "0");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal([$"{WineFixture.WindowsPath(Stamp(checkout))}|[{Program(checkout)}] {Logged}"], calls);
        Assert.False(File.Exists(Stamp(checkout)));
    }

    [Fact]
    public void A_stale_program_is_compiled_stamped_and_started_again_without_the_stamp()
    {
        var checkout = Checkout(compiled: true);

        var (result, calls) = Run(checkout, "75 0 0");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal([$"{WineFixture.WindowsPath(Stamp(checkout))}|[{Program(checkout)}] {Logged}", Compile(checkout), $"|[{Program(checkout)}] {Logged}"], calls);
        Assert.True(File.Exists(Stamp(checkout)));
    }

    [Fact]
    public void A_program_never_compiled_is_compiled_first()
    {
        var checkout = Checkout(compiled: false);

        var (result, calls) = Run(checkout, "0 0");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal([Compile(checkout), $"|[{Program(checkout)}] {Logged}"], calls);
        Assert.True(File.Exists(Stamp(checkout)));
    }

    [Theory]
    [InlineData("3", 3)]
    [InlineData("75 0 130", 130)]
    public void The_program_s_exit_code_is_build_cmd_s(string exitCodes, int expected)
    {
        var (result, _) = Run(Checkout(compiled: true), exitCodes);

        Assert.Equal(expected, result.ExitCode);
    }

    [Fact]
    public void A_failed_compile_prints_its_log_and_one_line_and_writes_no_stamp()
    {
        var checkout = Checkout(compiled: true);

        var (result, calls) = Run(checkout, "75 1");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(2, calls.Length);
        Assert.Contains("dotnet stub: call 2", result.Output);
        Assert.EndsWith(@"build.cmd: the build program (build\) did not compile", result.Output.Trim());
        Assert.False(File.Exists(Stamp(checkout)));
    }

    [Fact]
    public void Without_an_SDK_and_without_the_download_site_it_says_so_in_one_line()
    {
        Assert.SkipWhen(wine.Missing is not null, wine.Missing ?? "");
        var checkout = Checkout(compiled: true);

        var result = wine.BuildCmd(checkout, ["DOTNET_INSTALL_SCRIPT_URL=http://127.0.0.1:9/dotnet-install.ps1"], "--help");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
        Assert.Equal(
            "build.cmd: no .NET SDK (DOTNET_EXE, DOTNET_ROOT, PATH) and http://127.0.0.1:9/dotnet-install.ps1 cannot be reached with PowerShell: install the .NET 10.0.401 SDK",
            result.Output.Trim());
    }
}
