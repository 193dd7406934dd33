using System.Text.RegularExpressions;

namespace TracerBuild.GitHub;

/// <summary>
/// The <c>owner/name</c> of the GitHub repository: given, else parsed from the <c>origin</c> remote. Both parts are held
/// to GitHub's own rules before any request, since they become part of URLs that carry the token: a name such as
/// <c>../evil</c> would otherwise lead a request out of <c>/repos/</c>.
/// </summary>
public static partial class GitHubRepositoryName
{
    public const string Rules =
        "owner: 1 to 39 letters, digits or single inner hyphens; name: 1 to 100 letters, digits, '.', '-' or '_', not '.' or '..'";

    public static string Resolve(string? given, string root)
    {
        if (given is not null)
        {
            return IsValid(given)
                ? given
                : throw new BuildInputException($"Invalid --github-repository '{given}': expected owner/name such as acme/tracer ({Rules}).");
        }
        var origin = Programs.TryRun("git", ["-C", root, "remote", "get-url", "origin"]);
        return origin.ExitCode == 0 && FromRemoteUrl(origin.Output.Trim()) is { } parsed
            ? parsed
            : throw new BuildInputException("Release needs the GitHub repository: pass --github-repository owner/name or set GITHUB_REPOSITORY (the origin remote is not a GitHub URL).");
    }

    /// <summary>True for an owner/name GitHub would accept.</summary>
    public static bool IsValid(string ownerName) =>
        ownerName.Split('/') is [var owner, var name] && Owner().IsMatch(owner) && Name().IsMatch(name) && name is not ("." or "..");

    /// <summary>owner/name from https://github.com/owner/name(.git), git@github.com:owner/name(.git) or ssh://git@github.com/owner/name(.git).</summary>
    public static string? FromRemoteUrl(string url) =>
        RemoteUrl().Match(url) is { Success: true } match && $"{match.Groups["owner"].Value}/{match.Groups["name"].Value}" is var ownerName && IsValid(ownerName)
            ? ownerName
            : null;

    // GitHub: "may only contain alphanumeric characters or single hyphens, and cannot begin or end with a hyphen", 39 at most.
    [GeneratedRegex(@"^(?=.{1,39}$)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")]
    private static partial Regex Owner();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,100}$")]
    private static partial Regex Name();

    [GeneratedRegex(@"^(?:https://|ssh://git@|git@)github\.com[/:](?<owner>[^/:]+)/(?<name>[^/]+?)(?:\.git)?/?$")]
    private static partial Regex RemoteUrl();
}
