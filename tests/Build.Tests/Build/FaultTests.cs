using System.Formats.Tar;
using System.IO.Compression;

namespace TracerBuild.Tests;

/// <summary>Faults of the machine around the build: dpkg's answers for two arches, a stale test summary, where temporary files go.</summary>
public sealed class FaultTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("libbpf-dev", "amd64 installed\narm64 installed\n", true)] // what dpkg-query says of a -dev package installed for both arches
    [InlineData("libbpf-dev", "amd64 installed\n", true)]
    [InlineData("libbpf-dev", "arm64 installed\n", false)] // only the foreign arch's: not the native one the build needs
    [InlineData("libbpf-dev", "amd64 config-files\narm64 installed\n", false)]
    [InlineData("libbpf-dev", "amd64 not-installed\n", false)]
    [InlineData("shellcheck", "all installed\n", true)]
    [InlineData("libbpf1:arm64", "arm64 installed\n", true)]
    [InlineData("libbpf1:arm64", "arm64 half-installed\n", false)]
    public void Preflight_reads_dpkg_s_answer_per_arch(string package, string dpkgQueryOutput, bool installed) =>
        Assert.Equal(installed, Prerequisites.IsInstalled(package, "amd64", dpkgQueryOutput));

    [Fact]
    public void Preflight_counts_a_package_installed_for_two_arches_as_installed_on_this_machine()
    {
        var native = Programs.Run("dpkg", ["--print-architecture"], echo: false).Output.Trim();
        // A package dpkg lists once per arch, such as libbpf1 once Preflight installed it for both.
        var twice = Programs.TryRun("dpkg-query", ["-W", "-f=${db:Status-Status} ${binary:Package}\n"]).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("installed ", StringComparison.Ordinal))
            .Select(l => l["installed ".Length..].Split(':')[0])
            .GroupBy(name => name).FirstOrDefault(g => g.Count() > 1)?.Key;
        Assert.SkipWhen(twice is null, "No package is installed for two arches here (Preflight of the Test target installs libbpf1 for both).");

        Assert.True(Prerequisites.IsInstalled(twice!, native), $"{twice} is installed for two arches, yet Preflight says it is missing");
    }

    [Fact]
    public void Ci_run_does_not_pass_off_an_earlier_run_s_summary_as_this_one_s()
    {
        var checkout = Directory.CreateDirectory(Path.Combine(_temp.Path, "checkout")).FullName;
        Directory.CreateDirectory(Path.Combine(checkout, ".ci"));
        File.Copy(Path.Combine(Repository.Root, ".ci", "run"), Path.Combine(checkout, ".ci", "run"));
        // A build that fails before the tests run, and the summary a passing run left yesterday.
        File.WriteAllText(Path.Combine(checkout, "build.sh"), "#!/bin/sh\necho 'error: Preflight failed' >&2\nexit 1\n");
        File.SetUnixFileMode(Path.Combine(checkout, "build.sh"), TarballEntry.Executable);
        Directory.CreateDirectory(Path.Combine(checkout, "artifacts", "test-results"));
        File.WriteAllText(Path.Combine(checkout, "artifacts", "test-results", "summary.txt"), "250 passed, 0 failed, 3 skipped\n");

        var result = Programs.TryRun("bash", [Path.Combine(checkout, ".ci", "run")], workingDirectory: checkout);

        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("250 passed", result.Output);
        Assert.Contains("The tests did not run: no artifacts/test-results/summary.txt (exit code 1).", result.Output);
    }

    [Fact]
    public void A_tarball_being_written_lives_in_the_temporary_folder_not_beside_the_tarballs()
    {
        var artifacts = Directory.CreateDirectory(Path.Combine(_temp.Path, "artifacts")).FullName;
        var temporary = Directory.CreateDirectory(Path.Combine(artifacts, "obj", "tmp", $"{Environment.ProcessId}.package")).FullName;
        var content = Path.Combine(_temp.Path, "file.txt");
        File.WriteAllText(content, "hello");
        string[]? besideWhileWriting = null, inTemporaryWhileWriting = null;

        Tarball.Write(Path.Combine(artifacts, "t.tar.gz"), Entries(), DateTimeOffset.UnixEpoch, temporary);

        Assert.Empty(besideWhileWriting!);
        Assert.Single(inTemporaryWhileWriting!);
        Assert.Equal(["t.tar.gz"], Directory.EnumerateFiles(artifacts).Select(Path.GetFileName));
        Assert.Empty(Directory.EnumerateFiles(temporary));
        using var tar = new TarReader(new GZipStream(File.OpenRead(Path.Combine(artifacts, "t.tar.gz")), CompressionMode.Decompress));
        Assert.Equal("t/file.txt", tar.GetNextEntry()!.Name);

        // Enumerated while the tarball is being written: a kill now leaves what is on disk now.
        IEnumerable<TarballEntry> Entries()
        {
            besideWhileWriting = [.. Directory.EnumerateFiles(artifacts)];
            inTemporaryWhileWriting = [.. Directory.EnumerateFiles(temporary)];
            yield return new TarballEntry("t/file.txt", content, TarballEntry.Regular);
        }
    }

    [Fact]
    public void A_program_that_fails_on_a_full_disk_is_reported_as_such_in_one_line()
    {
        var error = Assert.Throws<Engine.BuildFailedException>(() => Programs.Run("sh",
            ["-c", "echo 'error MSB3021: Unable to copy file \"a\" to \"b\". No space left on device : b' >&2; exit 1"], echo: false));

        Assert.Equal("sh failed: No space left on device. Free space on the disk it was writing to, then run the build again.", error.Message);
    }

    [Fact]
    public void MSBuild_is_told_not_to_retry_copies_for_ten_seconds_each()
    {
        var settings = new TracerPublishSettings(Arch.X64, true, true, "Release", "1.2.3", "tracer.bpf.o", "restore", new(AbsolutePath.Of("/native")), "btf");

        Assert.Contains("-p:CopyRetryCount=0", settings.MsBuildArguments);
    }
}
