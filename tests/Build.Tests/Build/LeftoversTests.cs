namespace TracerBuild.Tests;

/// <summary>
/// A build leaves nothing behind: no build server or MSBuild node running, nothing in the temporary folder; and what a
/// killed build leaves in artifacts/obj/tmp, the one root of its temporary folders, the next build removes.
/// </summary>
[Collection(BuildScriptCollection.Name)]
public sealed class LeftoversTests(BuildScriptFixture build)
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

    [Fact]
    public void What_a_build_killed_inside_a_dotnet_call_leaves_the_next_build_removes()
    {
        using var temp = new TempDirectory();
        var clone = Path.Combine(temp.Path, "clone");
        Programs.Run("git", ["clone", "-q", Repository.Root, clone], echo: false);
        var temporaryRoot = Path.Combine(clone, "artifacts", "obj", "tmp");
        build.SucceedIn(clone, "--target", "Vmlinux", "--arch", "x64"); // compiles the build program first

        string[] DotnetFolders() => Directory.Exists(temporaryRoot) ? Directory.GetDirectories(temporaryRoot, "*.dotnet.*") : [];
        using (var restore = new BackgroundProgram("bash", [Path.Combine(clone, "build.sh"), "--target", "Restore", "--arch", "x64", "--force"], clone))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DotnetFolders().Length == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the build never started a dotnet call");
                Thread.Sleep(20);
            }
            restore.Kill(); // the whole process tree, dotnet included
        }
        var left = Assert.Single(DotnetFolders());

        var next = build.SucceedIn(clone, "--target", "Vmlinux", "--arch", "x64");

        Assert.Contains($"Removing artifacts/obj/tmp/{Path.GetFileName(left)}, left by a build that was stopped", next.Output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temporaryRoot));
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
