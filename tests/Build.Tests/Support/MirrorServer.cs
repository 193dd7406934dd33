using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TracerBuild.Tests;

/// <summary>
/// An HTTP/1.1 server on 127.0.0.1 serving a folder laid out like the upstream vmlinux.h repository, plus synthetic
/// files; it counts requests per path and answers the next requests with the faults queued in <see cref="Faults"/>.
/// Raw sockets, so it can drop a connection mid-body or close after fewer bytes than its Content-Length.
/// </summary>
public sealed class MirrorServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _folder;
    private readonly Func<byte[], byte[]> _transform;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _requests = new();

    public MirrorServer(string folder, Func<byte[], byte[]>? transform = null)
    {
        _folder = folder;
        _transform = transform ?? (bytes => bytes);
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _ = Task.Run(AcceptAsync);
    }

    public string Url { get; }

    /// <summary>Faults for the next requests, in order; once empty, requests are answered normally.</summary>
    public ConcurrentQueue<Fault> Faults { get; } = new();

    /// <summary>Bodies served for paths (relative to the root, no leading slash) instead of files.</summary>
    public ConcurrentDictionary<string, byte[]> Files { get; } = new();

    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Set once a <see cref="Fault.Stall"/> answer has sent half its body.</summary>
    public ManualResetEventSlim Stalled { get; } = new();

    public int Requests => _requests.Values.Sum();

    public int RequestsFor(string path) => _requests.GetValueOrDefault(path);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(socket));
        }
    }

    private async Task AnswerAsync(Socket socket)
    {
        using var _ = socket;
        try
        {
            var path = await ReadRequestPathAsync(socket);
            _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
            var fault = Faults.TryDequeue(out var next) ? next : Fault.None;
            var body = Files.TryGetValue(path, out var synthetic) ? synthetic : ReadFile(path);

            if (fault == Fault.Slow)
                await Task.Delay(SlowDelay, _stop.Token);
            if (body is null || fault == Fault.ServerError)
            {
                await SendAsync(socket, body is null ? "404 Not Found" : "500 Internal Server Error", 0, []);
                socket.Shutdown(SocketShutdown.Both);
                return;
            }

            body = _transform(body);
            switch (fault)
            {
                case Fault.DropMidBody:
                    await SendAsync(socket, "200 OK", body.Length, body[..(body.Length / 2)]);
                    socket.LingerState = new LingerOption(true, 0); // close with a reset, as a dropped connection does
                    return;
                case Fault.ShortBody:
                    await SendAsync(socket, "200 OK", body.Length, body[..(body.Length - 100)]);
                    socket.Shutdown(SocketShutdown.Both);
                    return;
                case Fault.Stall:
                    await SendAsync(socket, "200 OK", body.Length, body[..(body.Length / 2)]);
                    Stalled.Set();
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                default:
                    await SendAsync(socket, "200 OK", body.Length, body);
                    socket.Shutdown(SocketShutdown.Both);
                    return;
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
        }
    }

    private byte[]? ReadFile(string path)
    {
        var file = Path.GetFullPath(Path.Combine(_folder, path));
        return file.StartsWith(_folder, StringComparison.Ordinal) && File.Exists(file) ? File.ReadAllBytes(file) : null;
    }

    private static async Task<string> ReadRequestPathAsync(Socket socket)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\r\n\r\n"))
        {
            var read = await socket.ReceiveAsync(buffer);
            if (read == 0)
                throw new IOException("client went away");
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        var target = received.ToString().Split(' ')[1];
        return Uri.UnescapeDataString(target.TrimStart('/'));
    }

    private static async Task SendAsync(Socket socket, string status, long contentLength, byte[] body)
    {
        var head = $"HTTP/1.1 {status}\r\nContent-Length: {contentLength}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        await socket.SendAsync(body);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
