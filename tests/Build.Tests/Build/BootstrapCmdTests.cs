namespace TracerBuild.Tests;

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
