using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TracerBuild.Tests;

/// <summary>
/// A GitHub REST API for one repository on 127.0.0.1: releases (list in pages of <see cref="PageSize"/>, by tag for
/// published ones only, get, create, update) and their assets (list, delete, upload with 422 on a taken name).
/// Requests without the expected token get 401, without a GitHub media type in Accept or a User-Agent 400; faults can be queued.
/// </summary>
public sealed partial class FakeGitHub : IDisposable
{
    public const int PageSize = 2;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly HttpListener _listener = new();
    private readonly string _repository;
    private readonly string _token;
    private readonly object _lock = new();
    private readonly List<FakeRelease> _releases = [];
    private readonly Queue<(string PathPart, int Status, (string Name, string Value)[] Headers)> _faults = new();
    private readonly List<string> _requests = [];
    private long _nextId = 100;
    private string? _loseNextAnswerTo;

    public FakeGitHub(string repository, string token)
    {
        _repository = repository;
        _token = token;
        Url = $"http://127.0.0.1:{FreePort()}";
        _listener.Prefixes.Add($"{Url}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>Commit ids by branch, tag or short id, for <c>GET /repos/{repo}/commits/{ref}</c> (readable without a token).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string> Commits { get; } = new();

    /// <summary>"METHOD /path" of every request, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get { lock (_lock) return [.. _requests]; }
    }

    public IReadOnlyList<FakeRelease> Releases
    {
        get { lock (_lock) return [.. _releases.Select(r => r with { Assets = [.. r.Assets] })]; }
    }

    public FakeRelease AddRelease(string tag, bool draft, params (string Name, byte[] Bytes, string State)[] assets)
    {
        lock (_lock)
        {
            var release = new FakeRelease(_nextId++, tag, draft, false, [.. assets.Select(a => NewAsset(a.Name, a.Bytes, "application/octet-stream", a.State))]);
            _releases.Add(release);
            return release;
        }
    }

    /// <summary>The next request whose path contains <paramref name="pathPart"/> is answered with this status instead.</summary>
    public void Fail(int status, string pathPart = "/", params (string Name, string Value)[] headers)
    {
        lock (_lock)
            _faults.Enqueue((pathPart, status, headers));
    }

    /// <summary>The next successful POST to a path containing <paramref name="pathPart"/> takes effect but is answered with 502, as when a connection drops after the server acted.</summary>
    public void LoseNextAnswer(string pathPart)
    {
        lock (_lock)
            _loseNextAnswerTo = pathPart;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            try
            {
                var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                Response response;
                lock (_lock)
                {
                    response = Handle(context.Request, body.ToArray());
                    if (response.Status is >= 200 and < 300 && context.Request.HttpMethod == "POST" &&
                        _loseNextAnswerTo is { } lost && context.Request.Url!.AbsolutePath.Contains(lost, StringComparison.Ordinal))
                    {
                        _loseNextAnswerTo = null;
                        response = Error(502, "Bad Gateway");
                    }
                }
                context.Response.StatusCode = response.Status;
                foreach (var (name, value) in response.Headers)
                    context.Response.AddHeader(name, value);
                if (response.Body is not null)
                {
                    var bytes = JsonSerializer.SerializeToUtf8Bytes(response.Body, Json);
                    context.Response.ContentType = "application/json; charset=utf-8";
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                }
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // The client went away; nothing to answer.
            }
        }
    }

    private sealed record Response(int Status, object? Body, params (string Name, string Value)[] Headers);

    private Response Handle(HttpListenerRequest request, byte[] body)
    {
        var path = request.Url!.AbsolutePath;
        _requests.Add($"{request.HttpMethod} {path}");

        var commits = $"/repos/{_repository}/commits/";
        var anonymousRead = request.Headers["Authorization"] is null && request.HttpMethod == "GET" && path.StartsWith(commits, StringComparison.Ordinal);
        if (request.Headers["Authorization"] != $"Bearer {_token}" && !anonymousRead)
            return Error(401, "Bad credentials");
        if (request.Headers["Accept"]?.Contains("application/vnd.github", StringComparison.Ordinal) != true || string.IsNullOrEmpty(request.Headers["User-Agent"]))
            return Error(400, "Missing a GitHub media type in Accept, or User-Agent");
        if (_faults.TryPeek(out var fault) && path.Contains(fault.PathPart, StringComparison.Ordinal))
        {
            _faults.Dequeue();
            return new Response(fault.Status, new { message = "Injected fault" }, fault.Headers);
        }

        if (path.StartsWith(commits, StringComparison.Ordinal) && request.HttpMethod == "GET")
            return Commits.TryGetValue(Uri.UnescapeDataString(path[commits.Length..]), out var sha) ? new Response(200, new { sha }) : Error(422, "No commit found for SHA");

        var prefix = $"/repos/{_repository}/releases";
        var uploads = $"/uploads{prefix}/";
        var method = request.HttpMethod;
        if (path == prefix && method == "GET")
            return Page(request, _releases.Select(ReleaseJson).ToList());
        if (path == prefix && method == "POST")
            return CreateRelease(JsonDocument.Parse(body).RootElement);
        if (path.StartsWith($"{prefix}/tags/", StringComparison.Ordinal) && method == "GET")
        {
            var tag = Uri.UnescapeDataString(path[$"{prefix}/tags/".Length..]);
            return _releases.FirstOrDefault(r => r.Tag == tag && !r.Draft) is { } published ? new Response(200, ReleaseJson(published)) : Error(404, "Not Found");
        }
        if (Id(path, prefix, "") is { } releaseId && FindRelease(releaseId) is { } release)
        {
            if (method == "GET")
                return new Response(200, ReleaseJson(release));
            if (method == "PATCH")
            {
                var root = JsonDocument.Parse(body).RootElement;
                var updated = release with { Draft = root.TryGetProperty("draft", out var draft) ? draft.GetBoolean() : release.Draft };
                _releases[_releases.IndexOf(release)] = updated;
                return new Response(200, ReleaseJson(updated));
            }
        }
        if (Id(path, prefix, "/assets") is { } listId && FindRelease(listId) is { } listed && method == "GET")
            return Page(request, listed.Assets.Select(AssetJson).ToList());
        if (path.StartsWith($"{prefix}/assets/", StringComparison.Ordinal) && method == "DELETE" && long.TryParse(path[$"{prefix}/assets/".Length..], out var assetId))
        {
            var owner = _releases.FirstOrDefault(r => r.Assets.Any(a => a.Id == assetId));
            if (owner is null)
                return Error(404, "Not Found");
            owner.Assets.RemoveAll(a => a.Id == assetId);
            return new Response(204, null);
        }
        if (path.StartsWith(uploads, StringComparison.Ordinal) && method == "POST" && Id(path, $"/uploads{prefix}", "/assets") is { } uploadId && FindRelease(uploadId) is { } target)
            return Upload(request, target, body);
        return Error(404, "Not Found");
    }

    private Response CreateRelease(JsonElement root)
    {
        var tag = root.GetProperty("tag_name").GetString()!;
        if (_releases.Any(r => r.Tag == tag))
            return new Response(422, new { message = "Validation Failed", errors = new[] { new { resource = "Release", code = "already_exists", field = "tag_name" } } });
        var release = new FakeRelease(_nextId++, tag, root.GetProperty("draft").GetBoolean(), root.GetProperty("prerelease").GetBoolean(), []);
        _releases.Add(release);
        return new Response(201, ReleaseJson(release));
    }

    private Response Upload(HttpListenerRequest request, FakeRelease release, byte[] body)
    {
        var name = request.QueryString["name"];
        if (string.IsNullOrEmpty(name))
            return Error(400, "name is required");
        if (release.Assets.Any(a => a.Name == name))
            return new Response(422, new { message = "Validation Failed", errors = new[] { new { resource = "ReleaseAsset", code = "already_exists", field = "name" } } });
        var asset = NewAsset(name, body, request.ContentType ?? "", "uploaded");
        release.Assets.Add(asset);
        return new Response(201, AssetJson(asset));
    }

    /// <summary>Serves one page of the list, with GitHub's Link header pointing to the next.</summary>
    private Response Page(HttpListenerRequest request, List<object> items)
    {
        var page = int.TryParse(request.QueryString["page"], out var p) && p > 0 ? p : 1;
        var slice = items.Skip((page - 1) * PageSize).Take(PageSize).ToList();
        if (page * PageSize >= items.Count)
            return new Response(200, slice);
        var next = $"{Url}{request.Url!.AbsolutePath}?per_page={PageSize}&page={page + 1}";
        return new Response(200, slice, ("Link", $"<{next}>; rel=\"next\", <{Url}{request.Url.AbsolutePath}?page={(items.Count + PageSize - 1) / PageSize}>; rel=\"last\""));
    }

    private FakeRelease? FindRelease(long id) => _releases.FirstOrDefault(r => r.Id == id);

    private static long? Id(string path, string prefix, string suffix) =>
        IdPath().Match(path) is { Success: true } m && m.Groups["prefix"].Value == prefix && m.Groups["suffix"].Value == suffix
            ? long.Parse(m.Groups["id"].Value)
            : null;

    private FakeAsset NewAsset(string name, byte[] bytes, string contentType, string state) =>
        new(_nextId++, name, contentType, state, bytes);

    private object ReleaseJson(FakeRelease r) => new
    {
        id = r.Id,
        tag_name = r.Tag,
        name = r.Tag,
        draft = r.Draft,
        prerelease = r.Prerelease,
        html_url = $"{Url}/{_repository}/releases/tag/{r.Tag}",
        upload_url = $"{Url}/uploads/repos/{_repository}/releases/{r.Id}/assets{{?name,label}}",
        assets = r.Assets.Select(AssetJson),
    };

    private static object AssetJson(FakeAsset a) => new
    {
        id = a.Id,
        name = a.Name,
        size = a.Bytes.Length,
        state = a.State,
        content_type = a.ContentType,
        digest = $"sha256:{Convert.ToHexStringLower(SHA256.HashData(a.Bytes))}",
    };

    private static Response Error(int status, string message) =>
        new(status, new { message, documentation_url = "https://docs.github.com/rest" });

    [GeneratedRegex(@"^(?<prefix>.*/releases)/(?<id>\d+)(?<suffix>(/assets)?)$")]
    private static partial Regex IdPath();

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose() => _listener.Close();
}
