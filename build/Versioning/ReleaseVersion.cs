using System.Text.RegularExpressions;

namespace TracerBuild.Versioning;

/// <summary>
/// The SemVer of a build: <c>--version</c>; else the exact tag <c>vX.Y.Z[-pre]</c> on HEAD;
/// else <c>&lt;next patch&gt;-dev.&lt;commits since tag&gt;+&lt;sha&gt;</c> (<c>0.1.0-dev.&lt;height&gt;+&lt;sha&gt;</c> with no tag).
/// </summary>
public static partial class ReleaseVersion
{
    public static string Resolve(string? requested, string repository) => Resolve(requested, GitHead.Read(repository));

    public static string Resolve(string? requested, GitHead? head)
    {
        if (!string.IsNullOrEmpty(requested))
            return Validate(requested, "--version");
        if (head is null)
            return "0.1.0-dev";
        if (head.Tag is null)
            return $"0.1.0-dev.{head.Height}+{head.ShortSha}";

        var tagged = SemVerPattern().Match(Validate(head.Tag[1..], $"git tag {head.Tag}"));
        if (head.Height == 0)
            return tagged.Value;
        var patch = int.Parse(tagged.Groups["patch"].Value);
        var next = tagged.Groups["pre"].Success ? patch : patch + 1;
        return $"{tagged.Groups["major"].Value}.{tagged.Groups["minor"].Value}.{next}-dev.{head.Height}+{head.ShortSha}";
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

    // https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string
    [GeneratedRegex(@"^(?<major>0|[1-9]\d*)\.(?<minor>0|[1-9]\d*)\.(?<patch>0|[1-9]\d*)(?:-(?<pre>(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+(?<meta>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")]
    private static partial Regex SemVerPattern();
}
