using System.Net;
using Octokit;
using Polly;

namespace TracerBuild.GitHub;

/// <summary>
/// The GitHub calls the Release and UpdateVmlinux targets make, through Octokit: each is retried on server errors,
/// dropped connections and rate limits, and fails in one line naming the call. An empty token reads anonymously.
/// </summary>
/// <remarks>The token goes into Octokit's credentials only: no message this class writes or throws contains it.</remarks>
/// <param name="time">What retries wait on; tests pass one that does not wait.</param>
public sealed class GitHubApi
{
    public const int MaxAttempts = 5;

    /// <summary>Without jitter: one release at a time makes no thundering herd, and fixed waits are easier to read in a log.</summary>
    private static readonly RetryPolicy Retry = new(MaxAttempts, TimeSpan.FromSeconds(1), Jitter: false);

    /// <summary>Longer waits (a rate limit resetting in an hour) fail at once instead of stalling the build.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(2);

    private readonly GitHubClient _client;
    private readonly string _owner;
    private readonly string _name;
    private readonly string _repository;
    private readonly TimeProvider _time;

    public GitHubApi(Uri apiUrl, string repository, string token, TimeSpan requestTimeout, TimeProvider? time = null)
    {
        // Through a Connection, so the base stays as given: GitHubClient(header, uri) appends GitHub Enterprise's
        // api/v3/ to any host but github.com. The slash keeps the base's own path when relative paths resolve.
        _client = new GitHubClient(new Connection(new ProductHeaderValue("tracer-build"), new Uri(apiUrl.AbsoluteUri.TrimEnd('/') + "/")));
        if (token.Length > 0)
            _client.Credentials = new Credentials(token, AuthenticationType.Bearer);
        _client.SetRequestTimeout(requestTimeout);
        _repository = repository;
        (_owner, _name) = (repository.Split('/')[0], repository.Split('/')[1]);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The full id of the commit a branch, tag or abbreviated commit names.</summary>
    public string CommitOf(string gitRef) =>
        Call($"GET /repos/{_repository}/commits/{gitRef}", () => _client.Repository.Commit.Get(_owner, _name, gitRef)).Sha;

    /// <summary>Every release, drafts included, all pages.</summary>
    public IReadOnlyList<Release> ListReleases() =>
        Call($"GET /repos/{_repository}/releases", () => _client.Repository.Release.GetAll(_owner, _name, new ApiOptions { PageSize = 100 }));

    /// <summary>Creates a release; throws <see cref="GitHubAlreadyExistsException"/> when its tag has one.</summary>
    public Release CreateDraftRelease(string tag, bool prerelease) =>
        Call($"POST /repos/{_repository}/releases",
            () => _client.Repository.Release.Create(_owner, _name, new NewRelease(tag) { Name = tag, Draft = true, Prerelease = prerelease }));

    public Release PublishRelease(long releaseId) =>
        Call($"PATCH /repos/{_repository}/releases/{releaseId}", () => _client.Repository.Release.Edit(_owner, _name, releaseId, new ReleaseUpdate { Draft = false }));

    /// <summary>A release's assets with the sha256 digest GitHub computes, which Octokit's model lacks.</summary>
    public IReadOnlyList<GitHubAsset> ListAssets(long releaseId) =>
        Call($"GET /repos/{_repository}/releases/{releaseId}/assets",
            () => new ApiConnection(_client.Connection).GetAll<GitHubAsset>(ApiUrls.ReleaseAssets(_owner, _name, releaseId), new ApiOptions { PageSize = 100 }));

    public void DeleteAsset(long assetId) =>
        Call($"DELETE /repos/{_repository}/releases/assets/{assetId}", async () =>
        {
            await _client.Repository.Release.DeleteAsset(_owner, _name, checked((int)assetId));
            return true;
        });

    /// <summary>Uploads a file as an asset; throws <see cref="GitHubAlreadyExistsException"/> when the release already has one of that name.</summary>
    public void UploadAsset(Release release, string path, string contentType)
    {
        var name = Path.GetFileName(path);
        Call($"upload of {name} to release {release.Id}", async () =>
        {
            // Each attempt reads the file afresh.
            await using var data = File.OpenRead(path);
            return await _client.Repository.Release.UploadAsset(release, new ReleaseAssetUpload(name, contentType, data, timeout: null));
        });
    }

    private T Call<T>(string what, Func<Task<T>> call)
    {
        var retry = Retry.Pipeline<T>($"GitHub {what}", Transient, outcome => ServerWait(outcome, what), _time);
        try
        {
            return retry.Execute(() => call().GetAwaiter().GetResult());
        }
        catch (ApiValidationException e) when (e.ApiError?.Errors?.Any(d => d.Code == "already_exists") == true)
        {
            throw new GitHubAlreadyExistsException(what);
        }
        catch (ApiException e)
        {
            throw Failure(what, e);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new BuildFailedException($"GitHub {what} failed after {MaxAttempts} attempts: {OneLine(e.Message)}");
        }
    }

    /// <summary>Why an attempt is worth repeating (a failed connection, a server error, a rate limit), or null.</summary>
    private static string? Transient<T>(Outcome<T> outcome) => outcome.Exception switch
    {
        HttpRequestException or TaskCanceledException => OneLine(outcome.Exception.Message),
        ApiException e when (int)e.StatusCode >= 500 || IsRateLimited(e) => $"{(int)e.StatusCode} {OneLine(e.Message)}",
        _ => null,
    };

    private static bool IsRateLimited(ApiException e) =>
        e is RateLimitExceededException or SecondaryRateLimitExceededException ||
        e.StatusCode == HttpStatusCode.TooManyRequests ||
        (e.StatusCode == HttpStatusCode.Forbidden && (Header(e, "Retry-After") is not null || Header(e, "X-RateLimit-Remaining") == "0"));

    /// <summary>
    /// How long GitHub asks to be left alone, or null for the backoff. A wait beyond <see cref="MaxWait"/> ends the
    /// retries here: the exception goes through Polly to the caller.
    /// </summary>
    private TimeSpan? ServerWait<T>(Outcome<T> outcome, string what)
    {
        if (outcome.Exception is not ApiException e || !IsRateLimited(e))
            return null;
        var now = _time.GetUtcNow();
        TimeSpan? wait = null;
        if (Header(e, "Retry-After") is { } retryAfter)
        {
            wait = int.TryParse(retryAfter, out var seconds) ? TimeSpan.FromSeconds(seconds)
                : DateTimeOffset.TryParse(retryAfter, out var date) ? AtLeastOneSecond(date - now)
                : null;
        }
        else if (long.TryParse(Header(e, "X-RateLimit-Reset"), out var reset))
        {
            wait = AtLeastOneSecond(DateTimeOffset.FromUnixTimeSeconds(reset) - now);
        }
        if (wait > MaxWait)
            throw new BuildFailedException($"GitHub {what}: rate limited for {wait.Value.TotalMinutes:F0} more minutes; run the release again later.");
        return wait;

        static TimeSpan AtLeastOneSecond(TimeSpan wait) => wait > TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1);
    }

    private BuildFailedException Failure(string what, ApiException e)
    {
        var message = OneLine(e.ApiError?.Message is { Length: > 0 } m ? m : e.Message);
        var codes = e.ApiError?.Errors?.Select(d => d.Code).OfType<string>().ToList() ?? [];
        if (codes.Count > 0)
            message += $" ({string.Join(", ", codes)})";
        return new BuildFailedException(e switch
        {
            AuthorizationException => $"GitHub rejected the token (401 {message}) on {what}: set GITHUB_TOKEN or --github-token to a valid token.",
            RateLimitExceededException or SecondaryRateLimitExceededException => $"GitHub {what}: still rate limited after {MaxAttempts} attempts; run the release again later.",
            ForbiddenException => $"GitHub refused {what} (403 {message}): the token needs 'contents: write' on {_repository}.",
            NotFoundException => $"GitHub has no {what} (404): check --github-repository ({_repository}) and that the token can see it.",
            _ => $"GitHub {what} failed: {(int)e.StatusCode} {message}",
        });
    }

    private static string? Header(ApiException e, string name) =>
        e.HttpResponse?.Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}

/// <summary>A release asset as GitHub lists it; <see cref="Digest"/> is <c>sha256:&lt;hex&gt;</c> where GitHub computed one.</summary>
/// <remarks>Octokit fills it by reflection (snake_case JSON to these properties).</remarks>
public sealed class GitHubAsset
{
    public long Id { get; private set; }
    public string Name { get; private set; } = "";
    public long Size { get; private set; }
    public string State { get; private set; } = "";
    public string? Digest { get; private set; }
}

/// <summary>GitHub refused to create something that exists (422 already_exists): a release of that tag, an asset of that name.</summary>
public sealed class GitHubAlreadyExistsException(string what) : Exception($"GitHub {what}: it already exists.");
