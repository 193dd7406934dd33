using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace TracerBuild.Tests;

/// <summary>TCP flows on the real kernel: accepts with the accepting process, and each flow's end with its exact payload bytes.</summary>
public sealed partial class TracerTests
{
    [Theory]
    [InlineData("ipv4")]
    [InlineData("ipv6")]
    public void An_accepted_and_a_refused_flow_end_with_exact_byte_counts(string family)
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        var loopback = family == "ipv6" ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        using var listener = new TcpListener(loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        using var tracer = new TracerProcess(Tracer(), "--events", "accept,tcp_close", "--pid", Environment.ProcessId.ToString(), "--include-self", "--duration", "3");
        int clientPort;
        using (var client = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
        {
            client.Connect(loopback, port);
            clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;
            using var server = listener.AcceptSocket();
            client.Send(new byte[1234]);
            Receive(server, 1234);
            server.Send(new byte[567]);
            Receive(client, 567);
            client.Shutdown(SocketShutdown.Both);
            Receive(server, 0);
            server.Shutdown(SocketShutdown.Both);
        }
        listener.Stop();
        using (var refused = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
        {
            Assert.Throws<SocketException>(() => refused.Connect(loopback, port));
        }
        var events = TracerProcess.JsonLines(tracer.WaitForExit().Stdout);

        var address = loopback.ToString();
        var accept = Assert.Single(events, e => Type(e) == "accept");
        Assert.Equal((family, address, port, address, clientPort), (accept.GetProperty("family").GetString(), accept.GetProperty("saddr").GetString(),
            accept.GetProperty("sport").GetInt32(), accept.GetProperty("daddr").GetString(), accept.GetProperty("dport").GetInt32()));
        Assert.True(accept.GetProperty("result").GetInt32() >= 0);
        var closes = events.Where(e => Type(e) == "tcp_close").ToList();
        Assert.Equal(3, closes.Count);
        AssertClose(Assert.Single(closes, e => e.GetProperty("direction").GetString() == "connect" && e.GetProperty("bytes_sent").GetInt64() > 0),
            family, address, clientPort, port, sent: 1234, received: 567);
        AssertClose(Assert.Single(closes, e => e.GetProperty("direction").GetString() == "accept"), family, address, port, clientPort, sent: 567, received: 1234);
        var refusedClose = Assert.Single(closes, e => e.GetProperty("direction").GetString() == "connect" && e.GetProperty("bytes_sent").GetInt64() == 0);
        Assert.Equal(port, refusedClose.GetProperty("dport").GetInt32());
        Assert.Equal(0, refusedClose.GetProperty("bytes_received").GetInt64());
        Assert.All(events, e => Assert.Equal(Environment.ProcessId, e.GetProperty("pid").GetInt32()));
    }

    private static void AssertClose(JsonElement e, string family, string address, int sport, int dport, long sent, long received)
    {
        Assert.Equal((family, address, sport, address, dport), (e.GetProperty("family").GetString(), e.GetProperty("saddr").GetString(),
            e.GetProperty("sport").GetInt32(), e.GetProperty("daddr").GetString(), e.GetProperty("dport").GetInt32()));
        Assert.Equal((sent, received), (e.GetProperty("bytes_sent").GetInt64(), e.GetProperty("bytes_received").GetInt64()));
        Assert.InRange(e.GetProperty("duration_ns").GetInt64(), 1, 5_000_000_000);
    }

    /// <summary>Reads exactly <paramref name="bytes"/> bytes, then (for 0) the peer's end of stream.</summary>
    private static void Receive(Socket socket, int bytes)
    {
        var buffer = new byte[4096];
        var total = 0;
        while (total < bytes)
            total += socket.Receive(buffer, Math.Min(buffer.Length, bytes - total), SocketFlags.None);
        if (bytes == 0)
            Assert.Equal(0, socket.Receive(buffer));
    }

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;
}
