using System.Text.RegularExpressions;
using TracerBuild.Engine;

namespace TracerBuild;

/// <summary>
/// The SemVer of a build: <c>--version</c>; else the exact tag <c>vX.Y.Z[-pre]</c> on HEAD;
/// else <c>&lt;next patch&gt;-dev.&lt;commits since tag&gt;+&lt;sha&gt;</c> (<c>0.1.0-dev.&lt;height&gt;+&lt;sha&gt;</c> with no tag).
/// </summary>
public static partial class ReleaseVersion
{
    public static string Resolve(string? requested, string repository)
    {
        if (!string.IsNullOrEmpty(requested))
            return Validate(requested, "--version");

        if (Git(repository, "rev-parse", "--short", "HEAD") is not { } sha)
            return "0.1.0-dev";
        if (Git(repository, "describe", "--tags", "--exact-match", "--match", "v[0-9]*", "HEAD") is { } exact)
            return Validate(exact[1..], $"git tag {exact}");

        if (Git(repository, "describe", "--tags", "--abbrev=0", "--match", "v[0-9]*", "HEAD") is { } nearest)
        {
            var tagged = SemVerPattern().Match(Validate(nearest[1..], $"git tag {nearest}"));
            var height = Git(repository, "rev-list", "--count", $"{nearest}..HEAD");
            var (major, minor, patch) = (tagged.Groups["major"].Value, tagged.Groups["minor"].Value, int.Parse(tagged.Groups["patch"].Value));
            var next = tagged.Groups["pre"].Success ? patch : patch + 1;
            return $"{major}.{minor}.{next}-dev.{height}+{sha}";
        }
        return $"0.1.0-dev.{Git(repository, "rev-list", "--count", "HEAD")}+{sha}";
    }

    /// <summary>A version made from commits after a tag (or without one), which is never released.</summary>
    public static bool IsDevelopment(string version) =>
        SemVerPattern().Match(version).Groups["pre"] is { Success: true } pre && pre.Value.Split('.')[0] == "dev";

    /// <summary>The version without build metadata, as used in file names.</summary>
    public static string WithoutMetadata(string version) => version.Split('+')[0];

    public static string Validate(string version, string source) =>
        SemVerPattern().IsMatch(version)
            ? version
            : throw new BuildInputException($"Invalid version '{version}' from {source}: expected SemVer such as 1.2.3 or 1.2.3-rc.1.");

    private static string? Git(string repository, params string[] arguments)
    {
        try
        {
            var result = ProcessRunner.TryRun("git", ["-C", repository, .. arguments]);
            return result.ExitCode == 0 ? result.Output.Trim() : null;
        }
        catch (BuildFailedException)
        {
            return null;
        }
    }

    // https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string
    [GeneratedRegex(@"^(?<major>0|[1-9]\d*)\.(?<minor>0|[1-9]\d*)\.(?<patch>0|[1-9]\d*)(?:-(?<pre>(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+(?<meta>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")]
    private static partial Regex SemVerPattern();
}
