namespace TracerBuild.Tests;

/// <summary>A build leaves nothing behind: no build server or MSBuild node running, nothing in the temporary folder.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class LeftoversTests
{
    [Fact]
    public void Package_leaves_no_process_running_and_nothing_in_TMPDIR()
    {
        using var temp = new TempDirectory();
        var marker = $"TRACER_LEFTOVER_PROBE={Guid.NewGuid():N}";

        // Without the variables that keep servers off on this machine, as a user's shell has them; every process the
        // build starts inherits the marker, so one still alive afterwards is found by it.
        var result = Programs.TryRun("env",
            ["-u", "UseSharedCompilation", "-u", "MSBUILDDISABLENODEREUSE", "-u", "DOTNET_CLI_USE_MSBUILD_SERVER", $"TMPDIR={temp.Path}", marker,
             "bash", Path.Combine(Repository.Root, "build.sh"), "--target", "Package", "--arch", Arch.Host.Name, "--version", "1.2.3", "--force",
             "--vmlinux-mirror", Repository.VmlinuxMirror],
            workingDirectory: Repository.Root);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
        Assert.Empty(ProcessesWith(marker));
    }

    private static List<string> ProcessesWith(string marker)
    {
        var found = new List<string>();
        foreach (var folder in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(folder, "environ")).Split('\0').Contains(marker))
                    found.Add($"{Path.GetFileName(folder)} {File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ')}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // It exited while being read, or is not ours to read.
            }
        }
        return found;
    }
}
