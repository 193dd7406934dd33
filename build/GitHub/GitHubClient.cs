using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Polly;
using TracerBuild.Engine;

namespace TracerBuild.GitHub;

/// <summary>
/// The GitHub REST calls the Release and UpdateVmlinux targets make; retries server errors and rate limits, follows
/// <c>Link</c> pages. An empty token makes anonymous requests, enough to read a public repository.
/// </summary>
/// <remarks>The token goes into the Authorization header only: no message this class writes or throws contains it.</remarks>
/// <param name="time">What retries wait on; tests pass one that does not wait.</param>
public sealed partial class GitHubClient(HttpClient http, Uri apiUrl, string repository, string token, TimeProvider? time = null)
{
    public const string ApiVersion = "2022-11-28";
    public const int MaxAttempts = 5;

    /// <summary>Without jitter: one release at a time makes no thundering herd, and fixed waits are easier to read in a log.</summary>
    private static readonly RetryPolicy Retry = new(MaxAttempts, TimeSpan.FromSeconds(1), Jitter: false);

    /// <summary>Longer waits (a rate limit resetting in an hour) fail at once instead of stalling the build.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(2);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The full id of the commit a branch, tag or abbreviated commit names.</summary>
    public string CommitOf(string gitRef) =>
        Read(Send(HttpMethod.Get, Api($"repos/{repository}/commits/{Uri.EscapeDataString(gitRef)}"), () => null), GitHubJson.Default.GitHubCommit).Sha;

    public IReadOnlyList<GitHubRelease> ListReleases() =>
        GetAllPages(Api($"repos/{repository}/releases?per_page=100"), GitHubJson.Default.ListGitHubRelease);

    /// <summary>Creates a release; throws <see cref="GitHubAlreadyExistsException"/> when its tag has one.</summary>
    public GitHubRelease CreateRelease(NewRelease release) =>
        Read(Send(HttpMethod.Post, Api($"repos/{repository}/releases"), () => Json(release, GitHubJson.Default.NewRelease)), GitHubJson.Default.GitHubRelease);

    public GitHubRelease UpdateRelease(long releaseId, ReleaseUpdate update) =>
        Read(Send(HttpMethod.Patch, Api($"repos/{repository}/releases/{releaseId}"), () => Json(update, GitHubJson.Default.ReleaseUpdate)), GitHubJson.Default.GitHubRelease);

    public IReadOnlyList<GitHubAsset> ListAssets(long releaseId) =>
        GetAllPages(Api($"repos/{repository}/releases/{releaseId}/assets?per_page=100"), GitHubJson.Default.ListGitHubAsset);

    public void DeleteAsset(long assetId) =>
        Send(HttpMethod.Delete, Api($"repos/{repository}/releases/assets/{assetId}"), () => null).Dispose();

    /// <summary>Uploads a file as an asset; throws <see cref="GitHubAlreadyExistsException"/> when the release already has one of that name.</summary>
    public GitHubAsset UploadAsset(GitHubRelease release, string path, string contentType)
    {
        var name = Path.GetFileName(path);
        // upload_url is a URI template: ".../assets{?name,label}".
        var upload = new Uri($"{release.UploadUrl.Split('{')[0]}?name={Uri.EscapeDataString(name)}");
        var response = Send(HttpMethod.Post, upload, () =>
        {
            var content = new StreamContent(File.OpenRead(path));
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            return content;
        });
        return Read(response, GitHubJson.Default.GitHubAsset);
    }

    private Uri Api(string relative) => new(new Uri(apiUrl.AbsoluteUri.TrimEnd('/') + "/"), relative);

    private List<T> GetAllPages<T>(Uri first, JsonTypeInfo<List<T>> type)
    {
        var items = new List<T>();
        for (Uri? page = first; page is not null;)
        {
            using var response = Send(HttpMethod.Get, page, () => null);
            items.AddRange(Read(response, type));
            page = NextPage(response);
        }
        return items;
    }

    private Uri? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
            return null;
        var next = LinkNext().Match(string.Join(",", links));
        if (!next.Success)
            return null;
        var uri = new Uri(next.Groups[1].Value);
        // The token travels with every request: never follow a link to another server.
        return Uri.Compare(uri, apiUrl, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
            ? uri
            : throw new BuildFailedException($"GitHub's next-page link points to another server ({uri.GetLeftPart(UriPartial.Authority)}); not following it.");
    }

    private HttpResponseMessage Send(HttpMethod method, Uri uri, Func<HttpContent?> content)
    {
        var what = $"{method} {uri.AbsolutePath}";
        var retry = Retry.Pipeline<HttpResponseMessage>($"GitHub {what}", Transient, response => ServerWait(response, what), _time);
        HttpResponseMessage response;
        try
        {
            response = retry.Execute(() =>
            {
                // A request can be sent once only: each attempt builds its own, with fresh content.
                using var request = new HttpRequestMessage(method, uri) { Content = content() };
                if (token.Length > 0)
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.UserAgent.Add(new ProductInfoHeaderValue("tracer-build", "1.0"));
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
                request.Headers.Add("X-GitHub-Api-Version", ApiVersion);
                return http.Send(request);
            });
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new BuildFailedException($"GitHub {what} failed after {MaxAttempts} attempts: {OneLine(e.Message)}");
        }

        if (response.IsSuccessStatusCode)
            return response;
        using (response)
        {
            var error = ReadError(response);
            if (response.StatusCode == HttpStatusCode.UnprocessableEntity && error?.Errors?.Any(e => e.Code == "already_exists") == true)
                throw new GitHubAlreadyExistsException(what);
            throw Failure(what, (int)response.StatusCode, ErrorMessage(error) ?? response.ReasonPhrase ?? "");
        }
    }

    /// <summary>Why an attempt is worth repeating (a failed connection, a server error, a rate limit), or null.</summary>
    private static string? Transient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TaskCanceledException } => OneLine(outcome.Exception.Message),
        { Result: { } response } when (int)response.StatusCode >= 500 || IsRateLimited(response) => $"{(int)response.StatusCode} {response.ReasonPhrase}",
        _ => null,
    };

    private static bool IsRateLimited(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.TooManyRequests ||
        (response.StatusCode == HttpStatusCode.Forbidden && (response.Headers.RetryAfter is not null || Header(response, "X-RateLimit-Remaining") == "0"));

    /// <summary>
    /// How long GitHub asks to be left alone, or null for the backoff. A wait beyond <see cref="MaxWait"/> ends the
    /// retries here: the exception goes through Polly to the caller.
    /// </summary>
    private TimeSpan? ServerWait(HttpResponseMessage response, string what)
    {
        var now = _time.GetUtcNow();
        TimeSpan? wait = null;
        if (response.Headers.RetryAfter is { } retryAfter)
            wait = retryAfter.Delta ?? AtLeastOneSecond(retryAfter.Date - now);
        else if (IsRateLimited(response) && long.TryParse(Header(response, "X-RateLimit-Reset"), out var reset))
            wait = AtLeastOneSecond(DateTimeOffset.FromUnixTimeSeconds(reset) - now);
        if (wait > MaxWait)
            throw new BuildFailedException($"GitHub {what}: rate limited for {wait.Value.TotalMinutes:F0} more minutes; run the release again later.");
        return wait;

        static TimeSpan AtLeastOneSecond(TimeSpan? wait) => wait is { } w && w > TimeSpan.FromSeconds(1) ? w : TimeSpan.FromSeconds(1);
    }

    private BuildFailedException Failure(string what, int status, string message) => new(status switch
    {
        401 => $"GitHub rejected the token (401 {message}) on {what}: set GITHUB_TOKEN or --github-token to a valid token.",
        403 => $"GitHub refused {what} (403 {message}): the token needs 'contents: write' on {repository}.",
        404 => $"GitHub has no {what} (404): check --github-repository ({repository}) and that the token can see it.",
        _ => $"GitHub {what} failed: {status} {message}",
    });

    private static string? ErrorMessage(GitHubError? error)
    {
        if (error?.Message is not { Length: > 0 } message)
            return null;
        var codes = error.Errors?.Select(e => e.Code).OfType<string>().ToList() ?? [];
        return OneLine(codes.Count > 0 ? $"{message} ({string.Join(", ", codes)})" : message);
    }

    private static GitHubError? ReadError(HttpResponseMessage response)
    {
        try
        {
            return JsonSerializer.Deserialize(response.Content.ReadAsStream(), GitHubJson.Default.GitHubError);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static T Read<T>(HttpResponseMessage response, JsonTypeInfo<T> type)
    {
        using (response)
        {
            try
            {
                return JsonSerializer.Deserialize(response.Content.ReadAsStream(), type)
                       ?? throw new JsonException("empty body");
            }
            catch (JsonException e)
            {
                throw new BuildFailedException($"GitHub answered {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} with unexpected JSON: {OneLine(e.Message)}");
            }
        }
    }

    private static StringContent Json<T>(T value, JsonTypeInfo<T> type) =>
        new(JsonSerializer.Serialize(value, type), System.Text.Encoding.UTF8, "application/json");

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    [GeneratedRegex("<([^>]+)>\\s*;\\s*rel=\"next\"")]
    private static partial Regex LinkNext();
}

/// <summary>GitHub refused to create something that exists (422 already_exists): a release of that tag, an asset of that name.</summary>
public sealed class GitHubAlreadyExistsException(string what) : Exception($"GitHub {what}: it already exists.");
