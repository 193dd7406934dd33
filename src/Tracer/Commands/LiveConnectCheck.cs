using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tracer.Bpf;
using Tracer.Output;

namespace Tracer.Commands;

/// <summary>
/// Doctor's proof that connect events arrive: with the connect programs loaded for this process only, a non-blocking
/// TCP connect to a loopback listener, over IPv4 and over IPv6 where ::1 is up, must come back as an event with the
/// call's destination and result. The calls run on the main thread, so the events' comm is the tracer's; a
/// <c>tracer monitor</c> running meanwhile sees them too.
/// </summary>
internal static unsafe class LiveConnectCheck
{
    private const string Name = "live connect";
    private const int EInProgress = 115;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(1);

    /// <summary>One non-blocking connect made: its family as the events name it, where to, and connect(2)'s result.</summary>
    private sealed record Call(string Family, IPEndPoint Destination, int Result, string? Error);

    /// <summary>Prints the connect hook and a line per connect; returns the exit code of a failure, null when all passed.</summary>
    public static ExitCode? Run()
    {
        BpfSession session;
        try
        {
            session = BpfSession.Load(new HashSet<EventType> { EventType.Connect },
                new TracerConfig { Events = 1u << (int)EventType.Connect, Pid = (uint)Environment.ProcessId });
        }
        catch (TracerException e)
        {
            DoctorCommand.Print("FAIL", "connect", e.Message);
            return e.ExitCode;
        }

        using (session)
        {
            var connect = session.Connect!;
            DoctorCommand.Print("pass", "connect", connect.Via);

            var events = new List<ConnectEvent>();
            try
            {
                using var reader = session.ReadEvents((data, size) =>
                {
                    if (size >= (nuint)sizeof(ConnectEvent) && ((EventHeader*)data)->Type == EventType.Connect)
                        events.Add(*(ConnectEvent*)data);
                });
                return Check(reader, events, $"via {connect.Hook.Name}");
            }
            catch (TracerException e)
            {
                DoctorCommand.Print("FAIL", Name, e.Message);
                return ExitCode.Error;
            }
        }
    }

    private static ExitCode? Check(RingBuffer reader, List<ConnectEvent> events, string via)
    {
        var (v4, v6, v6Unavailable) = Listeners();
        using var _ = v4;
        using var __ = v6;
        var sockets = new List<Socket>();
        try
        {
            List<Call> calls = [ConnectNonBlocking("ipv4", (IPEndPoint)v4.LocalEndpoint, sockets)];
            if (v6 is not null)
                calls.Add(ConnectNonBlocking("ipv6", (IPEndPoint)v6.LocalEndpoint, sockets));

            var elapsed = Stopwatch.StartNew();
            while (elapsed.Elapsed < Wait && calls.Any(c => c.Error is null && Find(events, c) is null))
            {
                reader.Poll(10);
                reader.Consume();
            }

            var failed = false;
            foreach (var call in calls)
            {
                var where = call.Family == "ipv6" ? $"[{call.Destination.Address}]:{call.Destination.Port}" : call.Destination.ToString();
                var found = Find(events, call);
                var (status, detail) = call.Error is not null ? ("FAIL", $"{call.Family} {where}: connect(2) failed: {call.Error}")
                    : found is not { } e ? ("FAIL", $"{call.Family} {where}: no connect event within {Wait.TotalSeconds:0} s {via}")
                    : e.Result != call.Result ? ("FAIL", $"{call.Family} {where} result {e.Result} {via}, but connect(2) returned {call.Result}")
                    : ("pass", $"{call.Family} {where} result {e.Result} {via}");
                DoctorCommand.Print(status, Name, detail);
                failed |= status == "FAIL";
            }
            if (v6Unavailable is not null)
                DoctorCommand.Print("skip", Name, $"ipv6: {v6Unavailable}");
            return failed ? ExitCode.Error : null;
        }
        finally
        {
            foreach (var socket in sockets)
                socket.Dispose();
        }
    }

    /// <summary>Listeners on 127.0.0.1 and [::1] with one ephemeral port; the IPv6 one null (with why) where ::1 cannot be bound.</summary>
    private static (TcpListener V4, TcpListener? V6, string? V6Unavailable) Listeners()
    {
        for (var attempt = 1; ; attempt++)
        {
            var v4 = new TcpListener(IPAddress.Loopback, 0);
            v4.Start();
            if (!Socket.OSSupportsIPv6)
                return (v4, null, "this kernel has no IPv6");
            var v6 = new TcpListener(IPAddress.IPv6Loopback, ((IPEndPoint)v4.LocalEndpoint).Port);
            try
            {
                v6.Start();
                return (v4, v6, null);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5)
            {
                // The port is free on 127.0.0.1 but not on ::1: try another.
                v6.Dispose();
                v4.Dispose();
            }
            catch (SocketException e)
            {
                v6.Dispose();
                return (v4, null, $"[::1] cannot be bound ({e.Message})");
            }
        }
    }

    private static Call ConnectNonBlocking(string family, IPEndPoint destination, List<Socket> sockets)
    {
        var socket = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        sockets.Add(socket);
        try
        {
            socket.Connect(destination);
            return new(family, destination, 0, null);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            return new(family, destination, -EInProgress, null);
        }
        catch (SocketException e)
        {
            return new(family, destination, 0, e.Message);
        }
    }

    private static ConnectEvent? Find(List<ConnectEvent> events, Call call)
    {
        foreach (var candidate in events)
        {
            var e = candidate;
            if (ConnectFamily.Name(e.Family) == call.Family && e.Dport == call.Destination.Port
                && EventWriter.Address(e.Family, e.Daddr) == call.Destination.Address.ToString())
                return e;
        }
        return null;
    }
}
