using TracerBuild;
using TracerBuild.Engine;

partial class Build
{
    string TestResultsDirectory => Path.Combine(ArtifactsDirectory, "test-results");

    Target Compile => _ => _
        .DependsOn(Preflight)
        .Description("Builds the solution: build program, tracer and tests")
        .Executes(() => Programs.Run("dotnet", ["build", Solution, "-nologo", "-c", Configuration.ToString()]));

    Target Test => _ => _
        .DependsOn(Compile)
        .Description("Runs the tests, as root the BPF ones too; writes artifacts/test-results")
        .Executes(() =>
        {
            if (Directory.Exists(TestResultsDirectory))
                Directory.Delete(TestResultsDirectory, recursive: true);
            var run = Programs.TryRun("dotnet",
                ["test", Solution, "-nologo", "--no-build", "-c", Configuration.ToString(),
                 "--logger", "trx", "--logger", "console;verbosity=normal", "--results-directory", TestResultsDirectory],
                echo: true);

            var counts = TestCounts.FromTrx(Directory.EnumerateFiles(TestResultsDirectory, "*.trx", SearchOption.AllDirectories));
            File.WriteAllText(Path.Combine(TestResultsDirectory, "summary.txt"), counts + "\n");
            Log.Line(counts.ToString());
            if (run.ExitCode != 0 || counts.Failed > 0 || counts.Passed == 0)
                throw new BuildFailedException($"Tests failed: {counts}.");
        });
}
