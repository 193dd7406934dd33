using System.Text.RegularExpressions;

namespace TracerBuild;

/// <summary>What the build needs to know about HEAD (version tag, height, sha, commit time), from two git calls.</summary>
public sealed partial record GitHead(string ShortSha, long CommitTime, string? Tag, int Height)
{
    /// <summary>Null when the folder is not a git checkout.</summary>
    public static GitHead? Read(string repository)
    {
        // Both at once, on threads of their own (the pool starts with one a core): every build, a no-op included, starts
        // with them, and each is mostly process start-up. The count is needed only when no tag describes HEAD.
        var log = Start(() => Git(repository, "log", "-1", "--format=%h %ct %(describe:tags=true,match=v[0-9]*)"));
        var count = Start(() => Git(repository, "rev-list", "--count", "HEAD"));
        if (log.Result?.Split(' ', 3) is not [var sha, var time, .. var rest])
            return null;
        return DescribePattern().Match(rest is [var description] ? description : "") is { Success: true } match
            ? new GitHead(sha, long.Parse(time), match.Groups["tag"].Value, match.Groups["height"].Success ? int.Parse(match.Groups["height"].Value) : 0)
            : new GitHead(sha, long.Parse(time), null, int.Parse(count.Result ?? "0"));
    }

    private static Task<string?> Start(Func<string?> git) => Task.Factory.StartNew(git, TaskCreationOptions.LongRunning);

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

    // %(describe): <tag> on the tagged commit itself, else <tag>-<commits since it>-g<sha>; empty without a tag.
    [GeneratedRegex(@"^(?<tag>.+?)(-(?<height>\d+)-g[0-9a-f]+)?$")]
    private static partial Regex DescribePattern();
}
