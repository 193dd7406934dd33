using System.Net;
using System.Net.Sockets;

namespace TracerBuild.Tests;

/// <summary>An HTTP server on 127.0.0.1 serving a folder laid out like the upstream vmlinux.h repository; counts requests.</summary>
public sealed class MirrorServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _folder;
    private readonly Func<byte[], byte[]> _transform;
    private int _requests;

    public MirrorServer(string folder, Func<byte[], byte[]>? transform = null)
    {
        _folder = folder;
        _transform = transform ?? (bytes => bytes);
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add($"{Url}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public int Requests => Volatile.Read(ref _requests);

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
            Interlocked.Increment(ref _requests);
            var path = Path.GetFullPath(Path.Combine(_folder, context.Request.Url!.AbsolutePath.TrimStart('/')));
            if (path.StartsWith(_folder, StringComparison.Ordinal) && File.Exists(path))
            {
                var body = _transform(await File.ReadAllBytesAsync(path));
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose() => _listener.Close();
}
