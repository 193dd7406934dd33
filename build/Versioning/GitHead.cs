using System.Text.RegularExpressions;

namespace TracerBuild.Versioning;

/// <summary>What the build needs to know about HEAD (version tag, height, sha, commit time), from two git calls, or from
/// the answer they gave last time for the same refs.</summary>
public sealed partial record GitHead(string ShortSha, long CommitTime, string? Tag, int Height)
{
    /// <summary>
    /// Null when the folder is not a git checkout. With a cache file, the answer is kept there under the key of
    /// <see cref="GitRefs"/> and reused while the refs are the same: a no-op build then starts no git process.
    /// </summary>
    public static GitHead? Read(string repository, string? cacheFile = null)
    {
        var refs = cacheFile is null ? null : GitRefs.Read(repository);
        var key = refs is null ? null : ContentHash.Of(refs);
        if (key is not null && Cached(cacheFile!, key) is { } cached)
            return cached;
        var head = FromGit(repository);
        if (key is not null && head is not null)
            Store(cacheFile!, key, head);
        return head;
    }

    private static void Store(string cacheFile, string key, GitHead head)
    {
        try
        {
            AtomicFile.Write(cacheFile, System.Text.Encoding.UTF8.GetBytes($"{key}\n{head.ShortSha} {head.CommitTime} {head.Height} {head.Tag}\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only checkout: the answer is right, only the next run asks git again.
        }
    }

    private static GitHead? Cached(string cacheFile, string key)
    {
        try
        {
            return File.ReadAllLines(cacheFile) is [var cachedKey, var line] && cachedKey == key
                && line.Split(' ') is [var sha, var time, var height, var tag]
                && long.TryParse(time, out var commitTime) && int.TryParse(height, out var commits)
                ? new GitHead(sha, commitTime, tag.Length > 0 ? tag : null, commits)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static GitHead? FromGit(string repository)
    {
        // Both at once, on threads of their own (the pool starts with one a core): each is mostly process start-up.
        // The count is needed only when no tag describes HEAD.
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
