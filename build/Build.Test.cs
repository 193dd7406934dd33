using TracerBuild.Publish;
using TracerBuild.Test;
using TracerBuild;

partial class Build
{
    [Parameter("Test also installs wine64 and mingw-w64 (about 1 GB) for the build.cmd tests, which otherwise run only where wine is installed")]
    readonly bool WindowsTests = false;

    [Parameter("Test runs only the tests whose full name contains this text (dotnet test --filter FullyQualifiedName~TEXT)")]
    readonly string? TestFilter = null;

    Target Compile => _ => _
        .DependsOn(Preflight)
        .Description("Builds the solution: build program, tracer and tests")
        // No copy retries: see TracerPublishSettings.
        .Executes(() => DotNetCli.Run(Temporary, ["build", Paths.Solution, "-nologo", "-c", Configuration.ToString(), "-p:CopyRetryCount=0"]));

    Target Test => _ => _
        .DependsOn(Compile)
        .Description("Runs the tests, as root the BPF ones too; writes artifacts/test-results")
        .Executes(() =>
        {
            Paths.TestResults.DeleteDirectory();
            var run = Programs.TryRun("dotnet",
                ["test", Paths.Solution, "-nologo", "--no-build", "--disable-build-servers", "-c", Configuration.ToString(),
                 "--logger", "trx", "--logger", "console;verbosity=normal", "--results-directory", Paths.TestResults,
                 .. TestFilter is { Length: > 0 } filter ? new[] { "--filter", $"FullyQualifiedName~{filter}" } : []],
                echo: true);

            var counts = TestCounts.FromTrx(Paths.TestResults.GetFiles("*.trx", recursive: true).Select(f => f.Path));
            Paths.TestSummary.WriteAllText(counts + "\n");
            Log.Line(counts.ToString());
            if (run.ExitCode != 0 || counts.Failed > 0 || counts.Passed == 0)
                throw new BuildFailedException($"Tests failed: {counts}.");
        });
}
