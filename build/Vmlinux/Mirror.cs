
namespace TracerBuild.Vmlinux;

/// <summary>How hard to try a flaky mirror: its retries, and the time one attempt may take.</summary>
public sealed record FetchPolicy(RetryPolicy Retry, TimeSpan AttemptTimeout)
{
    public static readonly FetchPolicy Default = new(new RetryPolicy(4, TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(60));
}

/// <summary>Where vmlinux.h files come from: paths are relative to the upstream repository root, e.g. <c>&lt;commit&gt;/include/&lt;dir&gt;/&lt;file&gt;</c>.</summary>
public abstract class Mirror
{
    public const string Remedy =
        "Point --vmlinux-mirror at a reachable mirror or a local folder laid out like upstream, or use --vmlinux-source host (this kernel's BTF, unpinned).";

    /// <summary>The URL or path a relative path stands for, as shown in messages.</summary>
    public abstract string Describe(string relative);

    /// <summary>The file's bytes; throws <see cref="BuildFailedException"/> with a one-line reason and the remedy.</summary>
    public abstract byte[] Fetch(string relative, IProgress<(long Read, long? Total)>? progress = null);

    public static Mirror Create(PathOrUrl mirror, HttpClient http, FetchPolicy policy, CancellationToken cancellation = default) =>
        mirror.Url is { } url ? new HttpMirror(url, http, policy, cancellation) : new FolderMirror(mirror.Path!);
}

public sealed class FolderMirror(string folder) : Mirror
{
    public override string Describe(string relative) => Path.Combine(folder, relative);

    public override byte[] Fetch(string relative, IProgress<(long Read, long? Total)>? progress = null)
    {
        var path = Describe(relative);
        return File.Exists(path) ? File.ReadAllBytes(path) : throw new BuildFailedException($"{path} does not exist. {Remedy}");
    }
}

/// <summary>
/// An HTTP mirror. Timeouts, dropped connections, bodies shorter than their Content-Length and 5xx answers are retried
/// with exponential backoff; 4xx answers are not, since asking again gives the same answer.
/// </summary>
/// <param name="remedy">What a failure's one line tells the user to do; by default, how to point at another vmlinux.h mirror.</param>
public sealed class HttpMirror(string baseUrl, HttpClient http, FetchPolicy policy, CancellationToken cancellation = default, string remedy = Mirror.Remedy) : Mirror
{
    public override string Describe(string relative) => $"{baseUrl}/{relative}";

    public override byte[] Fetch(string relative, IProgress<(long Read, long? Total)>? progress = null)
    {
        var url = Describe(relative);
        var retry = policy.Retry.Pipeline<byte[]>($"GET {url}", outcome => (outcome.Exception as TransientFetchException)?.Message);
        try
        {
            return retry.Execute(_ => FetchOnce(url, progress), cancellation);
        }
        catch (TransientFetchException e)
        {
            throw new BuildFailedException($"GET {url} failed after {policy.Retry.Attempts} attempts: {e.Message}. {remedy}");
        }
    }

    private byte[] FetchOnce(string url, IProgress<(long Read, long? Total)>? progress)
    {
        // One attempt ends at its timeout (retried) or when the build is interrupted (not retried).
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(policy.AttemptTimeout);
        try
        {
            using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if ((int)response.StatusCode >= 500)
                throw new TransientFetchException($"{(int)response.StatusCode} {response.ReasonPhrase}");
            if (!response.IsSuccessStatusCode)
                throw new BuildFailedException($"GET {url} failed: {(int)response.StatusCode} {response.ReasonPhrase}. {remedy}");

            var expected = response.Content.Headers.ContentLength;
            using var body = response.Content.ReadAsStream(timeout.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[1 << 16];
            int read;
            while ((read = body.ReadAsync(chunk, timeout.Token).AsTask().GetAwaiter().GetResult()) > 0)
            {
                buffer.Write(chunk, 0, read);
                progress?.Report((buffer.Length, expected));
            }
            if (expected is { } length && buffer.Length != length)
                throw new TransientFetchException($"the body ended after {buffer.Length} of {length} bytes");
            return buffer.ToArray();
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            throw new TransientFetchException($"no complete answer within {policy.AttemptTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new TransientFetchException(e is HttpRequestException { StatusCode: null, HttpRequestError: HttpRequestError.ConnectionError }
                ? $"cannot connect ({e.Message.TrimEnd('.')})"
                : $"the connection failed ({e.Message.TrimEnd('.')})");
        }
    }

    private sealed class TransientFetchException(string message) : Exception(message);
}
