namespace TracerBuild.Tests;

/// <summary>The framework-dependent tarball's launcher, src/Tracer/tracer.sh, with and without a .NET 10 runtime.</summary>
public sealed class LauncherTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _launcher = Path.Combine(Repository.Root, "src", "Tracer", "tracer.sh");

    public void Dispose() => _temp.Dispose();

    private ProcessResult Launch(string path, string? dotnetRoot = null) =>
        Programs.TryRun("/bin/sh", [_launcher, "--version"], environment: new Dictionary<string, string>
        {
            ["PATH"] = path,
            ["DOTNET_ROOT"] = dotnetRoot ?? "",
        });

    private string FakeDotnet(string runtimes)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_temp.Path, "bin")).FullName;
        var dotnet = Path.Combine(bin, "dotnet");
        File.WriteAllText(dotnet, $"#!/bin/sh\n[ \"$1\" = --list-runtimes ] && printf '{runtimes}' && exit 0\necho \"ran $*\"\n");
        File.SetUnixFileMode(dotnet, TarballEntry.Executable);
        return bin;
    }

    /// <summary>A PATH with the tools the launcher uses but no dotnet (which lives in /usr/bin here).</summary>
    private string PathWithoutDotnet() => ToolFolder.Create(_temp.Path, "readlink", "dirname", "grep");

    [Fact]
    public void Without_dotnet_it_says_to_install_the_runtime()
    {
        var result = Launch(PathWithoutDotnet());

        Assert.Equal(127, result.ExitCode);
        Assert.Equal("tracer: no .NET runtime found: install the .NET 10 runtime (or set DOTNET_ROOT), or use the self-contained tarball", result.Output.Trim());
    }

    [Fact]
    public void A_dotnet_without_a_10_runtime_is_named()
    {
        var bin = FakeDotnet(@"Microsoft.NETCore.App 8.0.11 [/x]\nMicrosoft.AspNetCore.App 10.0.1 [/x]\n");

        var result = Launch($"{bin}:{PathWithoutDotnet()}");

        Assert.Equal(127, result.ExitCode);
        Assert.Equal($"tracer: {bin}/dotnet has no .NET 10 runtime (Microsoft.NETCore.App 10.x): install it, or use the self-contained tarball", result.Output.Trim());
    }

    [Fact]
    public void DOTNET_ROOT_wins_over_PATH_and_runs_tracer_dll_beside_the_launcher()
    {
        var bin = FakeDotnet(@"Microsoft.NETCore.App 10.0.12 [/x]\n");

        var result = Launch(PathWithoutDotnet(), dotnetRoot: bin);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"ran {Path.Combine(Repository.Root, "src", "Tracer")}/tracer.dll --version", result.Output.Trim());
    }
}
