using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
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

    [Theory]
    [InlineData("ipv4")]
    [InlineData("ipv6")]
    public void A_udp_exchange_has_exact_counts_each_way_at_close(string family)
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        var loopback = family == "ipv6" ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        using var tracer = new TracerProcess(Tracer(), "--events", "udp", "--pid", Environment.ProcessId.ToString(), "--include-self", "--duration", "3");
        int clientPort, serverPort;
        using (var server = new Socket(loopback.AddressFamily, SocketType.Dgram, ProtocolType.Udp))
        using (var client = new Socket(loopback.AddressFamily, SocketType.Dgram, ProtocolType.Udp))
        {
            server.Bind(new IPEndPoint(loopback, 0));
            serverPort = ((IPEndPoint)server.LocalEndPoint!).Port;
            var buffer = new byte[2048];
            EndPoint peer = new IPEndPoint(loopback, 0);
            for (var i = 0; i < 3; i++)
                client.SendTo(new byte[100], server.LocalEndPoint!);
            for (var i = 0; i < 3; i++)
                server.ReceiveFrom(buffer, ref peer);
            clientPort = ((IPEndPoint)peer).Port;
            for (var i = 0; i < 2; i++)
                server.SendTo(new byte[50], peer);
            EndPoint from = new IPEndPoint(loopback, 0);
            for (var i = 0; i < 2; i++)
                client.ReceiveFrom(buffer, ref from);
        }
        var flows = TracerProcess.JsonLines(tracer.WaitForExit().Stdout).Where(e => Type(e) == "udp").ToList();

        Assert.Equal(2, flows.Count);
        var address = loopback.ToString();
        var clientFlow = Assert.Single(flows, e => e.GetProperty("dport").GetInt32() == serverPort);
        var serverFlow = Assert.Single(flows, e => e.GetProperty("dport").GetInt32() == clientPort);
        Assert.Equal(("close", family, address, clientPort, 3L, 300L, 2L, 100L), Counts(clientFlow));
        Assert.Equal(("close", family, address, serverPort, 2L, 100L, 3L, 300L), Counts(serverFlow));
    }

    [Theory]
    [InlineData("syscall")]
    [InlineData("sys_exit")]
    public unsafe void A_peer_address_that_ends_a_page_before_an_untouched_one_is_read(string hook)
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var (serverPort, clientPort) = (((IPEndPoint)server.LocalEndPoint!).Port, ((IPEndPoint)client.LocalEndPoint!).Port);
        // Four fresh pages: each sockaddr_in (16 bytes) ends a page whose next one nothing has touched, as a program's
        // stack or heap can have it; the send's is written here, the receive's by the kernel.
        const int sockaddrIn = 16;
        var page = Environment.SystemPageSize;
        var memory = Mmap(0, (nuint)(4 * page), 3 /* PROT_READ | PROT_WRITE */, 0x22 /* MAP_PRIVATE | MAP_ANONYMOUS */, -1, 0);
        Assert.NotEqual(-1, memory);
        try
        {
            using var tracer = new TracerProcess(Tracer(), new Dictionary<string, string> { ["TRACER_SOCKET_HOOK"] = hook },
                "--events", "udp", "--pid", Environment.ProcessId.ToString(), "--include-self", "--duration", "2");
            var to = new Span<byte>((byte*)memory + page - sockaddrIn, sockaddrIn);
            to.Clear();
            BitConverter.TryWriteBytes(to, (short)AddressFamily.InterNetwork);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(to[2..], (ushort)serverPort);
            IPAddress.Loopback.TryWriteBytes(to[4..], out _);
            var datagram = new byte[100];
            fixed (byte* data = datagram)
            {
                Assert.Equal(100, SendTo((int)client.Handle, data, 100, 0, (byte*)memory + page - sockaddrIn, sockaddrIn));
                var length = sockaddrIn;
                Assert.Equal(100, RecvFrom((int)server.Handle, data, 100, 0, (byte*)memory + 3 * page - sockaddrIn, &length));
            }
            client.Close();
            server.Close();
            var flows = TracerProcess.JsonLines(tracer.WaitForExit().Stdout).Where(e => Type(e) == "udp").ToList();

            Assert.Equal(2, flows.Count);
            Assert.Equal(("close", "ipv4", "127.0.0.1", clientPort, 1L, 100L, 0L, 0L), Counts(Assert.Single(flows, e => e.GetProperty("dport").GetInt32() == serverPort)));
            Assert.Equal(("close", "ipv4", "127.0.0.1", serverPort, 0L, 0L, 1L, 100L), Counts(Assert.Single(flows, e => e.GetProperty("dport").GetInt32() == clientPort)));
        }
        finally
        {
            Munmap(memory, (nuint)(4 * page));
        }
    }

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "munmap")]
    private static extern int Munmap(nint address, nuint length);

    [DllImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static extern unsafe nint SendTo(int fd, byte* buffer, nuint length, int flags, byte* address, int addressLength);

    [DllImport("libc", EntryPoint = "recvfrom", SetLastError = true)]
    private static extern unsafe nint RecvFrom(int fd, byte* buffer, nuint length, int flags, byte* address, int* addressLength);

    private static (string?, string?, string?, int, long, long, long, long) Counts(JsonElement e) =>
        (e.GetProperty("reason").GetString(), e.GetProperty("family").GetString(), e.GetProperty("daddr").GetString(), e.GetProperty("sport").GetInt32(),
            e.GetProperty("datagrams_sent").GetInt64(), e.GetProperty("bytes_sent").GetInt64(), e.GetProperty("datagrams_received").GetInt64(),
            e.GetProperty("bytes_received").GetInt64());

    [Fact]
    public void A_dns_query_and_its_response_are_decoded_with_the_latency()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            server.Bind(new IPEndPoint(IPAddress.Loopback, 53));
        }
        catch (SocketException e)
        {
            Assert.Skip($"port 53 of 127.0.0.1 is taken here ({e.SocketErrorCode}): the test's DNS server needs it");
        }
        using var tracer = new TracerProcess(Tracer(), "--events", "dns", "--pid", Environment.ProcessId.ToString(), "--include-self", "--duration", "3");
        DnsExchange(server);
        var events = TracerProcess.JsonLines(tracer.WaitForExit().Stdout);

        // Each message is seen twice here, sent by one socket and received by the other, both of this process.
        Assert.Equal(4, events.Count);
        Assert.All(events, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("malformed").ValueKind));
        Assert.All(events, e => Assert.Equal(("test.example.com", "A", 0x4321), (e.GetProperty("qname").GetString(), e.GetProperty("qtype").GetString(), e.GetProperty("id").GetInt32())));
        var received = Assert.Single(events, e => e.GetProperty("response").GetBoolean() && e.GetProperty("direction").GetString() == "received");
        Assert.Equal("NOERROR", received.GetProperty("rcode").GetString());
        var only = Assert.Single(received.GetProperty("answers").EnumerateArray());
        Assert.Equal(("test.example.com", "A", 60, "10.0.0.1"), (only.GetProperty("name").GetString(), only.GetProperty("type").GetString(),
            only.GetProperty("ttl").GetInt32(), only.GetProperty("data").GetString()));
        Assert.Equal(53, received.GetProperty("dport").GetInt32()); // the peer's: the server's

        var latencies = events.Where(e => e.GetProperty("latency_ns").ValueKind == JsonValueKind.Number).ToList();
        Assert.Single(latencies);
        Assert.InRange(latencies[0].GetProperty("latency_ns").GetInt64(), 1, 3_000_000_000);
    }

    /// <summary>A query for test.example.com A from a client socket, answered through <paramref name="server"/> (bound to 127.0.0.1:53).</summary>
    internal static void DnsExchange(Socket server)
    {
        byte[] query = Convert.FromHexString("4321010000010000000000000474657374076578616d706c6503636f6d0000010001");
        byte[] answer = Convert.FromHexString("c00c000100010000003c00040a000001");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Connect(IPAddress.Loopback, 53);
        client.Send(query);
        var buffer = new byte[512];
        EndPoint peer = new IPEndPoint(IPAddress.Any, 0);
        var length = server.ReceiveFrom(buffer, ref peer);
        // The response: the query with QR, RD, RA set and one answer.
        byte[] response = [.. buffer[..2], 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, .. buffer[12..length], .. answer];
        server.SendTo(response, peer);
        client.Receive(buffer);
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
