using System.Text.RegularExpressions;
using TracerBuild.Engine;

namespace TracerBuild;

/// <summary>What the build needs to know about HEAD (version tag, height, sha, commit time), from two or three git calls.</summary>
public sealed partial record GitHead(string ShortSha, long CommitTime, string? Tag, int Height)
{
    /// <summary>Null when the folder is not a git checkout.</summary>
    public static GitHead? Read(string repository)
    {
        if (Git(repository, "log", "-1", "--format=%h %ct") is not { } log)
            return null;
        var (sha, time) = (log.Split(' ')[0], long.Parse(log.Split(' ')[1]));
        if (Git(repository, "describe", "--tags", "--long", "--match", "v[0-9]*", "HEAD") is { } described
            && DescribePattern().Match(described) is { Success: true } match)
            return new GitHead(sha, time, match.Groups["tag"].Value, int.Parse(match.Groups["height"].Value));
        return new GitHead(sha, time, null, int.Parse(Git(repository, "rev-list", "--count", "HEAD") ?? "0"));
    }

    private static string? Git(string repository, params string[] arguments)
    {
        try
        {
            var result = Programs.TryRun("git", ["-C", repository, .. arguments]);
            return result.ExitCode == 0 ? result.StandardOutput.Trim() : null;
        }
        catch (BuildFailedException)
        {
            return null; // no git: treated as no checkout
        }
    }

    // git describe --long: <tag>-<commits since it>-g<sha>
    [GeneratedRegex(@"^(?<tag>.+)-(?<height>\d+)-g[0-9a-f]+$")]
    private static partial Regex DescribePattern();
}
