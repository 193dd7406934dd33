namespace TracerBuild.Tests;

/// <summary>build.sh without an SDK on the machine: it installs the pinned one with dotnet-install, or says it cannot.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class BootstrapTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A PATH with what build.sh uses, but no dotnet.</summary>
    private string PathWithoutDotnet() => ToolFolder.Create(_temp.Path, "bash", "dirname", "find", "mkdir", "rm", "sed", "curl", "touch", "chmod", "flock");

    private static ProcessResult BuildScript(string checkout, string path, string installScriptUrl) =>
        Programs.TryRun("/usr/bin/env",
            ["-i", $"PATH={path}", $"HOME={Environment.GetEnvironmentVariable("HOME")}", $"DOTNET_INSTALL_SCRIPT_URL={installScriptUrl}",
             "bash", Path.Combine(checkout, "build.sh"), "--help"],
            workingDirectory: checkout);

    [Fact]
    public void Without_an_SDK_and_without_the_download_site_it_says_so_in_one_line()
    {
        var result = BuildScript(Repository.Root, PathWithoutDotnet(), "http://127.0.0.1:9/dotnet-install.sh");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "build.sh: no .NET SDK (DOTNET_EXE, DOTNET_ROOT, PATH) and http://127.0.0.1:9/dotnet-install.sh cannot be reached: install the .NET 10.0.401 SDK",
            result.Output.Trim());
    }

    [Fact]
    public void Without_an_SDK_it_installs_the_pinned_one_into_nuke_temp_and_uses_it()
    {
        var clone = Path.Combine(_temp.Path, "clone");
        Programs.Run("git", ["clone", "-q", Repository.Root, clone], echo: false);
        var calls = Path.Combine(_temp.Path, "installer-calls");
        using var site = new MirrorServer(Directory.CreateDirectory(Path.Combine(_temp.Path, "site")).FullName);
        // Stands in for dotnet-install.sh: records its arguments and "installs" a dotnet that runs this machine's SDK.
        site.Files["dotnet-install.sh"] = System.Text.Encoding.UTF8.GetBytes(
            $"echo \"$@\" > {calls}\nwhile [ \"$1\" != --install-dir ]; do shift; done\nmkdir -p \"$2\"\n" +
            $"printf '#!/bin/sh\\nexec /usr/bin/dotnet \"$@\"\\n' > \"$2/dotnet\"\nchmod +x \"$2/dotnet\"\n");

        var first = BuildScript(clone, PathWithoutDotnet(), $"{site.Url}/dotnet-install.sh");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"build.sh: installing the .NET 10.0.401 SDK into {clone}/.nuke/temp/dotnet", first.Output);
        Assert.Equal($"--version 10.0.401 --install-dir {clone}/.nuke/temp/dotnet --no-path", File.ReadAllText(calls).Trim());
        Assert.Contains("Targets:", first.Output);

        var second = BuildScript(clone, PathWithoutDotnet(), "http://127.0.0.1:9/unused");
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.DoesNotContain("installing", second.Output);
        Assert.Equal(1, site.Requests);
    }
}
