using System.Text.Json.Serialization;

namespace TracerBuild.GitHub;

/// <summary>The fields of a GitHub release the build uses.</summary>
public sealed record GitHubRelease(long Id, string TagName, bool Draft, bool Prerelease, string UploadUrl, string? HtmlUrl);

/// <summary>The fields of a release asset the build uses; <c>Digest</c> is <c>sha256:&lt;hex&gt;</c> where GitHub computed one.</summary>
public sealed record GitHubAsset(long Id, string Name, long Size, string State, string? Digest);

public sealed record NewRelease(string TagName, string Name, bool Draft, bool Prerelease);

public sealed record ReleaseUpdate(bool Draft);

/// <summary>A commit, as <c>GET /repos/{owner}/{repo}/commits/{ref}</c> answers: the build needs its id.</summary>
public sealed record GitHubCommit(string Sha);

public sealed record GitHubError(string? Message, IReadOnlyList<GitHubErrorDetail>? Errors);

public sealed record GitHubErrorDetail(string? Code, string? Field);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(GitHubRelease))]
[JsonSerializable(typeof(List<GitHubRelease>))]
[JsonSerializable(typeof(GitHubAsset))]
[JsonSerializable(typeof(List<GitHubAsset>))]
[JsonSerializable(typeof(NewRelease))]
[JsonSerializable(typeof(ReleaseUpdate))]
[JsonSerializable(typeof(GitHubError))]
[JsonSerializable(typeof(GitHubCommit))]
public sealed partial class GitHubJson : JsonSerializerContext;
