using System.Text.RegularExpressions;
using TracerBuild.Engine;

namespace TracerBuild.GitHub;

/// <summary>The <c>owner/name</c> of the GitHub repository: given, else parsed from the <c>origin</c> remote.</summary>
public static partial class GitHubRepositoryName
{
    public static string Resolve(string? given, string root)
    {
        if (!string.IsNullOrEmpty(given))
        {
            return OwnerName().IsMatch(given)
                ? given
                : throw new BuildInputException($"Invalid --github-repository '{given}': expected owner/name such as acme/tracer.");
        }
        var origin = Programs.TryRun("git", ["-C", root, "remote", "get-url", "origin"]);
        return origin.ExitCode == 0 && FromRemoteUrl(origin.Output.Trim()) is { } parsed
            ? parsed
            : throw new BuildInputException("Release needs the GitHub repository: pass --github-repository owner/name or set GITHUB_REPOSITORY (the origin remote is not a GitHub URL).");
    }

    /// <summary>owner/name from https://github.com/owner/name(.git), git@github.com:owner/name(.git) or ssh://git@github.com/owner/name(.git).</summary>
    public static string? FromRemoteUrl(string url) =>
        RemoteUrl().Match(url) is { Success: true } match ? $"{match.Groups["owner"].Value}/{match.Groups["name"].Value}" : null;

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    private static partial Regex OwnerName();

    [GeneratedRegex(@"^(?:https://|ssh://git@|git@)github\.com[/:](?<owner>[A-Za-z0-9_.-]+)/(?<name>[A-Za-z0-9_.-]+?)(?:\.git)?/?$")]
    private static partial Regex RemoteUrl();
}
