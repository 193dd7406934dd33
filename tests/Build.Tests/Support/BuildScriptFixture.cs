namespace TracerBuild.Tests;

/// <summary>
/// Runs ./build.sh against a loopback mirror of ../shared/vmlinux-mirror and an empty cache, so no test leaves the machine.
/// Tests that run ./build.sh share one collection: they write the same artifacts/ and must not overlap.
/// </summary>
public sealed class BuildScriptFixture : IDisposable
{
    private readonly MirrorServer _mirror = new(Repository.VmlinuxMirror);
    private readonly TempDirectory _cache = new();

    public ProcessResult Run(params string[] arguments) => RunIn(Repository.Root, arguments);


    /// <summary>Runs the build and fails the test with the build's output when it did not succeed.</summary>
    public ProcessResult Succeed(params string[] arguments) => SucceedIn(Repository.Root, arguments);

    /// <summary>Runs the build.sh of another checkout, such as a scratch clone.</summary>
    public ProcessResult SucceedIn(string checkout, params string[] arguments) => SucceedIn(checkout, [], arguments);

    public ProcessResult SucceedIn(string checkout, Dictionary<string, string> environment, params string[] arguments)
    {
        var result = RunIn(checkout, arguments, environment);
        Assert.True(result.ExitCode == 0, $"./build.sh {string.Join(' ', arguments)} in {checkout} failed:\n{result.Output}");
        return result;
    }

    private ProcessResult RunIn(string checkout, string[] arguments, Dictionary<string, string>? environment = null) =>
        BuildScript(checkout, environment ?? [], [.. arguments, "--vmlinux-mirror", _mirror.Url, "--cache-dir", _cache.Path]);

    /// <summary>./build.sh of a checkout with exactly these arguments.</summary>
    public static ProcessResult BuildScript(string checkout, params string[] arguments) => BuildScript(checkout, [], arguments);

    public static ProcessResult BuildScript(string checkout, Dictionary<string, string> environment, params string[] arguments) =>
        Programs.TryRun("bash", [Path.Combine(checkout, "build.sh"), .. arguments], workingDirectory: checkout, environment: environment);

    /// <summary>./build.sh started, not awaited.</summary>
    public static BackgroundProgram StartBuildScript(params string[] arguments) =>
        new("bash", [Path.Combine(Repository.Root, "build.sh"), .. arguments], Repository.Root);

    public static string Artifact(string name) => Path.Combine(Repository.Root, "artifacts", name);

    /// <summary>Extracts a tarball with the system's tar, as a user would.</summary>
    public static string Extract(string tarball, string into)
    {
        Programs.Run("tar", ["xzf", tarball, "-C", into], echo: false);
        return into;
    }

    public void Dispose()
    {
        _mirror.Dispose();
        _cache.Dispose();
    }
}
