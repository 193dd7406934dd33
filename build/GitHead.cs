using System.Text.RegularExpressions;

namespace TracerBuild;

/// <summary>What the build needs to know about HEAD (version tag, height, sha, commit time), from three git calls.</summary>
public sealed partial record GitHead(string ShortSha, long CommitTime, string? Tag, int Height)
{
    /// <summary>Null when the folder is not a git checkout.</summary>
    public static GitHead? Read(string repository)
    {
        // All three at once: every build, a no-op included, starts with them, and each is mostly process start-up.
        var log = Task.Run(() => Git(repository, "log", "-1", "--format=%h %ct"));
        var described = Task.Run(() => Git(repository, "describe", "--tags", "--long", "--match", "v[0-9]*", "HEAD"));
        var count = Task.Run(() => Git(repository, "rev-list", "--count", "HEAD"));
        if (log.Result is not { } head)
            return null;
        var (sha, time) = (head.Split(' ')[0], long.Parse(head.Split(' ')[1]));
        if (described.Result is { } description && DescribePattern().Match(description) is { Success: true } match)
            return new GitHead(sha, time, match.Groups["tag"].Value, int.Parse(match.Groups["height"].Value));
        return new GitHead(sha, time, null, int.Parse(count.Result ?? "0"));
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
