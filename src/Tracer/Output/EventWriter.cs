using System.Buffers;
using System.Buffers.Text;
using System.IO.Enumeration;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

using Tracer.Bpf;
using Tracer.Commands;
using Tracer.Dns;

namespace Tracer.Output;

/// <summary>Turns raw ring-buffer records into output lines, applying the userspace path filter.</summary>
internal sealed unsafe class EventWriter(Stream output, OutputFormat format, string? pathGlob, long bootToUnixOffsetNs,
    bool withEnvironment = false, bool redactSecrets = true)
{
    private readonly IEventFormat _format = format == OutputFormat.Json ? new JsonLines(output) : new TextLines(output);

    /// <summary>Where an exec record's argv starts: it ends there, after args or after env (see tracer.h).</summary>
    private static readonly nuint ExecArgsOffset = (nuint)(sizeof(ExecEvent) - ExecEvent.ArgsLength - ExecEvent.EnvLength);

    /// <summary>Where an open record's path starts: the path is the struct's last field.</summary>
    private static readonly nuint OpenPathOffset = (nuint)(sizeof(OpenEvent) - OpenEvent.PathLength);

    /// <summary>Records read from the kernel, whether printed or filtered out by --path.</summary>
    public long Received { get; private set; }

    /// <summary>DNS messages that did not decode cleanly (printed with the fault named).</summary>
    public long MalformedDns { get; private set; }

    /// <summary>Where a DNS record's payload starts (not its size less the payload's: the struct has padding at its end).</summary>
    private static readonly nuint DnsPayloadOffset = (nuint)Marshal.OffsetOf<DnsEvent>(nameof(DnsEvent.Payload));

    /// <summary>Queries seen, by process, id and name, until their response gives the latency.</summary>
    private readonly Dictionary<(uint Pid, ushort Id, string Name), ulong> _queries = [];

    /// <summary>Queries never answered are forgotten past this many.</summary>
    private const int QueriesRemembered = 4096;

    public void Write(void* data, nuint size)
    {
        Received++;
        var header = (EventHeader*)data;
        if (size < (nuint)sizeof(EventHeader))
            return;
        var ts = Clock.ToUtc(header->BootNs, bootToUnixOffsetNs);
        switch (header->Type)
        {
            case EventType.Exec when size >= ExecArgsOffset:
                var exec = (ExecEvent*)data;
                if (PathMatches(CString(exec->Filename, ExecEvent.FilenameLength)))
                    _format.Exec(exec, ts, ExecStrings(exec, size));
                break;
            case EventType.Open when size > OpenPathOffset:
                // The kernel cuts an open record after the path's NUL: copied into a zeroed struct, it reads as a whole one.
                var open = default(OpenEvent);
                Buffer.MemoryCopy(data, &open, sizeof(OpenEvent), Math.Min((long)size, sizeof(OpenEvent)));
                if (PathMatches(CString(open.Path, OpenEvent.PathLength)))
                    _format.Open(&open, ts);
                break;
            case EventType.Connect or EventType.Accept when size >= (nuint)sizeof(ConnectEvent):
                _format.Connect((ConnectEvent*)data, ts);
                break;
            case EventType.Unlink when size >= (nuint)sizeof(UnlinkEvent):
                var unlink = (UnlinkEvent*)data;
                if (PathMatches(CString(unlink->Path, UnlinkEvent.PathLength)))
                    _format.Unlink(unlink, ts);
                break;
            case EventType.FileIo when size >= (nuint)sizeof(FileIoEvent):
                var io = (FileIoEvent*)data;
                var path = FilePath(io);
                if (PathMatches(Encoding.UTF8.GetBytes(path)))
                    _format.FileIo(io, ts, path, Clock.ToUtc(io->FirstNs, bootToUnixOffsetNs), Clock.ToUtc(io->LastNs, bootToUnixOffsetNs));
                break;
            case EventType.Udp when size >= (nuint)sizeof(UdpEvent):
                var udp = (UdpEvent*)data;
                _format.Udp(udp, ts, Clock.ToUtc(udp->FirstNs, bootToUnixOffsetNs), Clock.ToUtc(udp->LastNs, bootToUnixOffsetNs));
                break;
            case EventType.Dns when size >= DnsPayloadOffset:
                var dns = (DnsEvent*)data;
                var payload = new ReadOnlySpan<byte>(dns->Payload, (int)Math.Min(Math.Min(dns->Kept, (uint)DnsEvent.PayloadLength), size - DnsPayloadOffset));
                var message = dns->Protocol == IpProtocol.Tcp ? DnsMessage.DecodeTcp(payload) : DnsMessage.Decode(payload);
                if (message.Malformed is null && dns->MessageSize > dns->Kept)
                    message = message.WithFault("truncated capture");
                if (message.Malformed is not null)
                    MalformedDns++;
                _format.Dns(dns, ts, message, Latency(dns, message));
                break;
            case EventType.TcpClose when size >= (nuint)sizeof(TcpCloseEvent):
                _format.TcpClose((TcpCloseEvent*)data, ts);
                break;
            case EventType.Module when size >= (nuint)sizeof(ModuleEvent):
                _format.Module((ModuleEvent*)data, ts);
                break;
        }
    }

    /// <summary>A response's latency when its query (same process, id and name) was seen; a query is remembered.</summary>
    private ulong? Latency(DnsEvent* e, DnsMessage message)
    {
        if (message.Questions.Count == 0)
            return null;
        var key = (e->Pid, message.Id, message.Questions[0].Name);
        if (!message.IsResponse)
        {
            if (_queries.Count >= QueriesRemembered)
                _queries.Clear();
            _queries[key] = e->BootNs;
            return null;
        }
        return _queries.Remove(key, out var sent) && e->BootNs >= sent ? e->BootNs - sent : null;
    }

    /// <summary>
    /// A file's path from the names the kernel wrote leaf first, each ending with a NUL, an empty one after the last;
    /// "..." first where it had more than it kept.
    /// </summary>
    internal static string FilePath(FileIoEvent* e)
    {
        var names = new List<string>();
        var rest = new ReadOnlySpan<byte>(e->Path, FileIoEvent.PathLength);
        while (rest.IndexOf((byte)0) is > 0 and var end)
        {
            names.Add(Text(rest[..end]));
            rest = rest[(end + 1)..];
        }
        names.Reverse();
        return (e->PathTruncated != 0 ? "..." : "") + "/" + string.Join('/', names);
    }

    /// <summary>--path applies to events that name a file (exec, open, unlink, file_io); * and ? as in shell globs, * also matching /.</summary>
    private bool PathMatches(ReadOnlySpan<byte> path) =>
        pathGlob is null || FileSystemName.MatchesSimpleExpression(pathGlob, Text(path), ignoreCase: false);

    public void Flush() => _format.Flush();

    internal static ReadOnlySpan<byte> CString(byte* bytes, int capacity)
    {
        var span = new ReadOnlySpan<byte>(bytes, capacity);
        var end = span.IndexOf((byte)0);
        return end < 0 ? span : span[..end];
    }

    /// <summary>Kernel strings are bytes; invalid UTF-8 becomes U+FFFD rather than an error.</summary>
    internal static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>
    /// An exec record's argv and, when traced, environment (a failed exec has none: the BPF side reads only its argv),
    /// with secrets replaced unless the user asked to see them.
    /// The sizes are bounded by the record's own length: the kernel cuts it after the last string used.
    /// </summary>
    private ExecStrings ExecStrings(ExecEvent* e, nuint size)
    {
        var available = size - ExecArgsOffset;
        var args = Strings(new ReadOnlySpan<byte>(e->Args, (int)Math.Min(Math.Min(e->ArgsSize, (uint)ExecEvent.ArgsLength), available)));
        var envAvailable = available > ExecEvent.ArgsLength ? available - ExecEvent.ArgsLength : 0;
        var env = withEnvironment && e->Result == 0 ? Strings(new ReadOnlySpan<byte>(e->Env, (int)Math.Min(Math.Min(e->EnvSize, (uint)ExecEvent.EnvLength), envAvailable))) : null;
        if (redactSecrets)
        {
            SecretRedaction.RedactArguments(args);
            if (env is not null)
                SecretRedaction.RedactEnvironment(env);
        }
        return new(args, env);
    }

    /// <summary>NUL-separated strings as the kernel copied them, the last one possibly cut at the bound.</summary>
    internal static List<string> Strings(ReadOnlySpan<byte> rest)
    {
        var strings = new List<string>();
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)0);
            strings.Add(Text(end < 0 ? rest : rest[..end]));
            rest = end < 0 ? [] : rest[(end + 1)..];
        }
        return strings;
    }

    internal static string Address(ushort family, byte* address) =>
        new IPAddress(new ReadOnlySpan<byte>(address, family == ConnectFamily.Inet6 ? 16 : 4)).ToString();
}

/// <summary>An exec's argv, and its environment when traced (null when not), ready to print.</summary>
internal sealed record ExecStrings(List<string> Args, List<string>? Env);

/// <summary>The IP protocol numbers a record may carry.</summary>
internal static class IpProtocol
{
    public const byte Tcp = 6;
}

/// <summary>An unlink event's call as printed.</summary>
internal static class UnlinkCalls
{
    public static string Name(UnlinkCall call) => call switch
    {
        UnlinkCall.Unlink => "unlink",
        UnlinkCall.Unlinkat => "unlinkat",
        _ => "rmdir",
    };
}

/// <summary>Why a record of totals was reported, as printed.</summary>
internal static class Totals
{
    public static string Reason(FlushReason reason) => reason switch
    {
        FlushReason.Interval => "interval",
        FlushReason.Idle => "idle",
        FlushReason.Close => "close",
        _ => "exit",
    };
}

/// <summary>A TCP flow's direction as printed: this host connected, or accepted.</summary>
internal static class FlowDirections
{
    public static string Name(FlowDirection direction) => direction == FlowDirection.Accept ? "accept" : "connect";
}

/// <summary>A module event's op as printed.</summary>
internal static class ModuleOps
{
    public static string Name(ModuleOp op) => op == ModuleOp.Load ? "load" : "unload";
}

/// <summary>AF_INET6, the one address family that reads 16 address bytes (AF_INET reads 4).</summary>
internal static class ConnectFamily
{
    public const ushort Inet6 = 10;

    public static string Name(ushort family) => family == Inet6 ? "ipv6" : "ipv4";
}

/// <summary>An output format. Events are passed as pointers into the ring buffer, valid only during the call.</summary>
internal unsafe interface IEventFormat
{
    void Exec(ExecEvent* e, DateTime ts, ExecStrings strings);
    void Open(OpenEvent* e, DateTime ts);
    /// <summary>A connect, or an accept (the same record).</summary>
    void Connect(ConnectEvent* e, DateTime ts);
    void TcpClose(TcpCloseEvent* e, DateTime ts);
    void Unlink(UnlinkEvent* e, DateTime ts);
    void Udp(UdpEvent* e, DateTime ts, DateTime first, DateTime last);
    void Dns(DnsEvent* e, DateTime ts, DnsMessage message, ulong? latencyNs);
    void FileIo(FileIoEvent* e, DateTime ts, string path, DateTime first, DateTime last);
    void Module(ModuleEvent* e, DateTime ts);
    void Flush();
}

/// <summary>One JSON object per line with Utf8JsonWriter: no reflection, so it stays trim-safe, and no per-event strings on the hot path.</summary>
internal sealed unsafe class JsonLines(Stream output) : IEventFormat
{
    private static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts"), Type = JsonEncodedText.Encode("type"),
        Pid = JsonEncodedText.Encode("pid"), Ppid = JsonEncodedText.Encode("ppid"), Uid = JsonEncodedText.Encode("uid"),
        Comm = JsonEncodedText.Encode("comm"), Filename = JsonEncodedText.Encode("filename"), Args = JsonEncodedText.Encode("args"),
        Path = JsonEncodedText.Encode("path"), Flags = JsonEncodedText.Encode("flags"), Result = JsonEncodedText.Encode("result"),
        Family = JsonEncodedText.Encode("family"), Saddr = JsonEncodedText.Encode("saddr"), Sport = JsonEncodedText.Encode("sport"),
        Daddr = JsonEncodedText.Encode("daddr"), Dport = JsonEncodedText.Encode("dport"),
        Argc = JsonEncodedText.Encode("argc"), ArgsTruncated = JsonEncodedText.Encode("args_truncated"), Env = JsonEncodedText.Encode("env"),
        Envc = JsonEncodedText.Encode("envc"), EnvTruncated = JsonEncodedText.Encode("env_truncated"),
        Accept = JsonEncodedText.Encode("accept"), TcpClose = JsonEncodedText.Encode("tcp_close"), Direction = JsonEncodedText.Encode("direction"),
        DurationNs = JsonEncodedText.Encode("duration_ns"), BytesSent = JsonEncodedText.Encode("bytes_sent"), BytesReceived = JsonEncodedText.Encode("bytes_received"),
        Call = JsonEncodedText.Encode("call"), Dirfd = JsonEncodedText.Encode("dirfd"), Unlink = JsonEncodedText.Encode("unlink"),
        FileIo = JsonEncodedText.Encode("file_io"), Reason = JsonEncodedText.Encode("reason"), Reads = JsonEncodedText.Encode("reads"),
        BytesRead = JsonEncodedText.Encode("read_bytes"), Writes = JsonEncodedText.Encode("writes"), BytesWritten = JsonEncodedText.Encode("write_bytes"),
        FirstTs = JsonEncodedText.Encode("first_ts"), LastTs = JsonEncodedText.Encode("last_ts"),
        Udp = JsonEncodedText.Encode("udp"), DatagramsSent = JsonEncodedText.Encode("datagrams_sent"),
        DatagramsReceived = JsonEncodedText.Encode("datagrams_received"), Dns = JsonEncodedText.Encode("dns"), Transport = JsonEncodedText.Encode("transport"),
        Id = JsonEncodedText.Encode("id"), Response = JsonEncodedText.Encode("response"), Qname = JsonEncodedText.Encode("qname"),
        Qtype = JsonEncodedText.Encode("qtype"), Rcode = JsonEncodedText.Encode("rcode"), Answers = JsonEncodedText.Encode("answers"),
        Ttl = JsonEncodedText.Encode("ttl"), Data = JsonEncodedText.Encode("data"), LatencyNs = JsonEncodedText.Encode("latency_ns"),
        Malformed = JsonEncodedText.Encode("malformed"), Size = JsonEncodedText.Encode("size"),
        Op = JsonEncodedText.Encode("op"), Name = JsonEncodedText.Encode("name"), File = JsonEncodedText.Encode("file"), Fd = JsonEncodedText.Encode("fd"),
        Taints = JsonEncodedText.Encode("taints"), Module = JsonEncodedText.Encode("module"),
        Exec = JsonEncodedText.Encode("exec"), Open = JsonEncodedText.Encode("open"), Connect = JsonEncodedText.Encode("connect");

    private const int FlushThreshold = 1 << 16;

    // The writer targets a buffer, not the stream: Utf8JsonWriter.Flush on a stream flushes the stream too, a write(2) per event.
    private readonly ArrayBufferWriter<byte> _buffer = new(2 * FlushThreshold);
    private readonly Utf8JsonWriter _json = new(Stream.Null, new JsonWriterOptions { SkipValidation = true });

    void IEventFormat.Exec(ExecEvent* e, DateTime ts, ExecStrings strings)
    {
        Begin(ts, Exec, e->Pid, e->Comm);
        _json.WriteNumber(Ppid, e->Ppid);
        _json.WriteNumber(Uid, e->Uid);
        WriteBytes(Filename, EventWriter.CString(e->Filename, ExecEvent.FilenameLength));
        _json.WriteNumber(Result, e->Result);
        _json.WriteNumber(Argc, e->Argc);
        WriteStrings(Args, strings.Args);
        _json.WriteBoolean(ArgsTruncated, e->ArgsTruncated != 0);
        if (strings.Env is { } env)
        {
            _json.WriteNumber(Envc, e->Envc);
            WriteStrings(Env, env);
            _json.WriteBoolean(EnvTruncated, e->EnvTruncated != 0);
        }
        End();
    }

    private void WriteStrings(JsonEncodedText name, List<string> values)
    {
        _json.WriteStartArray(name);
        foreach (var value in values)
            _json.WriteStringValue(value);
        _json.WriteEndArray();
    }

    void IEventFormat.Open(OpenEvent* e, DateTime ts)
    {
        Begin(ts, Open, e->Pid, e->Comm);
        WriteBytes(Path, EventWriter.CString(e->Path, OpenEvent.PathLength));
        _json.WriteNumber(Flags, e->Flags);
        _json.WriteNumber(Result, e->Result);
        End();
    }

    void IEventFormat.Connect(ConnectEvent* e, DateTime ts)
    {
        Begin(ts, e->Type == EventType.Accept ? Accept : Connect, e->Pid, e->Comm);
        WriteEndpoints(e->Family, e->Saddr, e->Sport, e->Daddr, e->Dport);
        _json.WriteNumber(Result, e->Result);
        End();
    }

    void IEventFormat.Unlink(UnlinkEvent* e, DateTime ts)
    {
        Begin(ts, Unlink, e->Pid, e->Comm);
        _json.WriteString(Call, UnlinkCalls.Name(e->Call));
        WriteBytes(Path, EventWriter.CString(e->Path, UnlinkEvent.PathLength));
        _json.WriteNumber(Dirfd, e->Dirfd);
        _json.WriteNumber(Flags, e->Flags);
        _json.WriteNumber(Result, e->Result);
        End();
    }

    void IEventFormat.FileIo(FileIoEvent* e, DateTime ts, string path, DateTime first, DateTime last)
    {
        Begin(ts, FileIo, e->Pid, e->Comm);
        _json.WriteString(Reason, Totals.Reason(e->Reason));
        _json.WriteNumber(Fd, e->Fd);
        _json.WriteString(Path, path);
        _json.WriteNumber(Reads, e->Reads);
        _json.WriteNumber(BytesRead, e->ReadBytes);
        _json.WriteNumber(Writes, e->Writes);
        _json.WriteNumber(BytesWritten, e->WriteBytes);
        _json.WriteString(FirstTs, Timestamp(first));
        _json.WriteString(LastTs, Timestamp(last));
        End();
    }

    void IEventFormat.Udp(UdpEvent* e, DateTime ts, DateTime first, DateTime last)
    {
        Begin(ts, Udp, e->Pid, e->Comm);
        _json.WriteString(Reason, Totals.Reason(e->Reason));
        _json.WriteNumber(Fd, e->Fd);
        WriteEndpoints(e->Family, e->Saddr, e->Sport, e->Daddr, e->Dport);
        _json.WriteNumber(DatagramsSent, e->DatagramsSent);
        _json.WriteNumber(BytesSent, e->BytesSent);
        _json.WriteNumber(DatagramsReceived, e->DatagramsReceived);
        _json.WriteNumber(BytesReceived, e->BytesReceived);
        _json.WriteString(FirstTs, Timestamp(first));
        _json.WriteString(LastTs, Timestamp(last));
        End();
    }

    void IEventFormat.Dns(DnsEvent* e, DateTime ts, DnsMessage message, ulong? latencyNs)
    {
        Begin(ts, Dns, e->Pid, e->Comm);
        _json.WriteString(Direction, e->Direction == DnsDirection.Sent ? "sent" : "received");
        _json.WriteString(Transport, e->Protocol == IpProtocol.Tcp ? "tcp" : "udp");
        WriteEndpoints(e->Family, e->Saddr, e->Sport, e->Daddr, e->Dport);
        _json.WriteNumber(Size, e->MessageSize);
        _json.WriteNumber(Id, message.Id);
        _json.WriteBoolean(Response, message.IsResponse);
        if (message.Questions is [var question, ..])
        {
            _json.WriteString(Qname, question.Name);
            _json.WriteString(Qtype, DnsMessage.TypeName(question.Type));
        }
        else
        {
            _json.WriteNull(Qname);
            _json.WriteNull(Qtype);
        }
        _json.WriteString(Rcode, DnsMessage.ResponseCodeName(message.ResponseCode));
        _json.WriteStartArray(Answers);
        foreach (var answer in message.Answers)
        {
            _json.WriteStartObject();
            _json.WriteString(Name, answer.Name);
            _json.WriteString(Type, DnsMessage.TypeName(answer.Type));
            _json.WriteNumber(Ttl, answer.Ttl);
            _json.WriteString(Data, answer.Data);
            _json.WriteEndObject();
        }
        _json.WriteEndArray();
        if (latencyNs is { } latency)
            _json.WriteNumber(LatencyNs, latency);
        else
            _json.WriteNull(LatencyNs);
        if (message.Malformed is { } malformed)
            _json.WriteString(Malformed, malformed);
        else
            _json.WriteNull(Malformed);
        End();
    }

    void IEventFormat.TcpClose(TcpCloseEvent* e, DateTime ts)
    {
        Begin(ts, TcpClose, e->Pid, e->Comm);
        _json.WriteString(Direction, FlowDirections.Name(e->Direction));
        WriteEndpoints(e->Family, e->Saddr, e->Sport, e->Daddr, e->Dport);
        _json.WriteNumber(DurationNs, e->DurationNs);
        _json.WriteNumber(BytesSent, e->BytesSent);
        _json.WriteNumber(BytesReceived, e->BytesReceived);
        End();
    }

    void IEventFormat.Module(ModuleEvent* e, DateTime ts)
    {
        Begin(ts, Module, e->Pid, e->Comm);
        _json.WriteString(Op, ModuleOps.Name(e->Op));
        WriteBytes(Name, EventWriter.CString(e->Name, ModuleEvent.NameLength));
        WriteBytes(File, EventWriter.CString(e->File, ModuleEvent.FileLength));
        _json.WriteNumber(Fd, e->Fd);
        _json.WriteNumber(Taints, e->Taints);
        _json.WriteNumber(Flags, e->Flags);
        _json.WriteNumber(Result, e->Result);
        End();
    }

    /// <summary>family, saddr, sport (this side), daddr, dport (the peer).</summary>
    private void WriteEndpoints(ushort family, byte* saddr, ushort sport, byte* daddr, ushort dport)
    {
        _json.WriteString(Family, ConnectFamily.Name(family));
        _json.WriteString(Saddr, EventWriter.Address(family, saddr));
        _json.WriteNumber(Sport, sport);
        _json.WriteString(Daddr, EventWriter.Address(family, daddr));
        _json.WriteNumber(Dport, dport);
    }

    /// <summary>The fields every event has, in the order docs/USER-README.md shows: ts, type, pid, comm.</summary>
    private void Begin(DateTime ts, JsonEncodedText type, uint pid, byte* comm)
    {
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteString(Ts, Timestamp(ts));
        _json.WriteString(Type, type);
        _json.WriteNumber(Pid, pid);
        WriteBytes(Comm, EventWriter.CString(comm, EventHeader.CommLength));
    }

    private readonly byte[] _timestamp = new byte["yyyy-MM-ddTHH:mm:ss.ffffffZ".Length];
    private long _timestampSecond = -1;

    /// <summary>RFC 3339 UTC with microseconds. Formatting a date is slow, so the part up to the second is reused within a second.</summary>
    private ReadOnlySpan<byte> Timestamp(DateTime ts)
    {
        var second = ts.Ticks / TimeSpan.TicksPerSecond;
        if (second != _timestampSecond)
        {
            new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc).TryFormat(_timestamp, out _, "yyyy-MM-dd'T'HH:mm:ss'.'");
            _timestamp[^1] = (byte)'Z';
            _timestampSecond = second;
        }
        Utf8Formatter.TryFormat(ts.Ticks % TimeSpan.TicksPerSecond / 10, _timestamp.AsSpan(20, 6), out _, new StandardFormat('D', 6));
        return _timestamp;
    }

    private void End()
    {
        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write("\n"u8);
        if (_buffer.WrittenCount >= FlushThreshold)
            WriteBuffer();
    }

    private void WriteBuffer()
    {
        output.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }

    private void WriteBytes(JsonEncodedText name, ReadOnlySpan<byte> value)
    {
        if (Utf8.IsValid(value))
            _json.WriteString(name, value);
        else
            _json.WriteString(name, EventWriter.Text(value));
    }

    public void Flush()
    {
        WriteBuffer();
        output.Flush();
    }
}

/// <summary>One readable line per event: time, type, pid, comm, then the event's own fields.</summary>
internal sealed unsafe class TextLines(Stream output) : IEventFormat
{
    private readonly StreamWriter _output = new(output, new UTF8Encoding(false), 1 << 16);

    void IEventFormat.Exec(ExecEvent* e, DateTime ts, ExecStrings strings) =>
        Line(ts, "exec", e->Pid, e->Comm, $"ppid={e->Ppid} uid={e->Uid} {EventWriter.Text(EventWriter.CString(e->Filename, ExecEvent.FilenameLength))} " +
            $"[{string.Join(' ', strings.Args)}{(e->ArgsTruncated != 0 ? " ..." : "")}]" +
            (e->Result != 0 ? $" result={e->Result}" : "") + (strings.Env is { } env ? $" env=[{string.Join(' ', env)}{(e->EnvTruncated != 0 ? " ..." : "")}]" : ""));

    void IEventFormat.Open(OpenEvent* e, DateTime ts) =>
        Line(ts, "open", e->Pid, e->Comm, $"{EventWriter.Text(EventWriter.CString(e->Path, OpenEvent.PathLength))} flags=0x{e->Flags:x} result={e->Result}");

    void IEventFormat.Connect(ConnectEvent* e, DateTime ts) =>
        Line(ts, e->Type == EventType.Accept ? "accept" : "connect", e->Pid, e->Comm, $"{ConnectFamily.Name(e->Family)} {Endpoint(e->Family, e->Saddr, e->Sport)} -> {Endpoint(e->Family, e->Daddr, e->Dport)} result={e->Result}");

    void IEventFormat.Unlink(UnlinkEvent* e, DateTime ts) =>
        Line(ts, "unlink", e->Pid, e->Comm, $"{UnlinkCalls.Name(e->Call)} {EventWriter.Text(EventWriter.CString(e->Path, UnlinkEvent.PathLength))} result={e->Result}");

    void IEventFormat.FileIo(FileIoEvent* e, DateTime ts, string path, DateTime first, DateTime last) =>
        Line(ts, "file_io", e->Pid, e->Comm, $"{path} fd={e->Fd} reads={e->Reads} ({e->ReadBytes} B) writes={e->Writes} ({e->WriteBytes} B) {Totals.Reason(e->Reason)}");

    void IEventFormat.Udp(UdpEvent* e, DateTime ts, DateTime first, DateTime last) =>
        Line(ts, "udp", e->Pid, e->Comm, $"{ConnectFamily.Name(e->Family)} {Endpoint(e->Family, e->Saddr, e->Sport)} -> {Endpoint(e->Family, e->Daddr, e->Dport)} " +
            $"sent={e->DatagramsSent} ({e->BytesSent} B) received={e->DatagramsReceived} ({e->BytesReceived} B) {Totals.Reason(e->Reason)}");

    void IEventFormat.Dns(DnsEvent* e, DateTime ts, DnsMessage message, ulong? latencyNs) =>
        Line(ts, "dns", e->Pid, e->Comm, $"{(message.IsResponse ? "response" : "query")} id={message.Id} " +
            (message.Questions is [var q, ..] ? $"{q.Name} {DnsMessage.TypeName(q.Type)}" : "?") +
            (message.IsResponse ? $" {DnsMessage.ResponseCodeName(message.ResponseCode)} [{string.Join(", ", message.Answers.Select(a => $"{DnsMessage.TypeName(a.Type)} {a.Data}"))}]" : "") +
            (latencyNs is { } l ? $" {l / 1e6:0.###} ms" : "") + (message.Malformed is { } m ? $" malformed: {m}" : ""));

    void IEventFormat.TcpClose(TcpCloseEvent* e, DateTime ts) =>
        Line(ts, "tcp_close", e->Pid, e->Comm, $"{FlowDirections.Name(e->Direction)} {ConnectFamily.Name(e->Family)} {Endpoint(e->Family, e->Saddr, e->Sport)} -> " +
            $"{Endpoint(e->Family, e->Daddr, e->Dport)} {e->DurationNs / 1e9:0.000###} s sent={e->BytesSent} received={e->BytesReceived}");

    void IEventFormat.Module(ModuleEvent* e, DateTime ts) =>
        Line(ts, "module", e->Pid, e->Comm, $"{ModuleOps.Name(e->Op)} {EventWriter.Text(EventWriter.CString(e->Name, ModuleEvent.NameLength))}" +
            (e->Op == ModuleOp.Load ? $" file={EventWriter.Text(EventWriter.CString(e->File, ModuleEvent.FileLength))} taints=0x{e->Taints:x}" : "") + $" result={e->Result}");

    private static string Endpoint(ushort family, byte* address, ushort port) =>
        family == ConnectFamily.Inet6 ? $"[{EventWriter.Address(family, address)}]:{port}" : $"{EventWriter.Address(family, address)}:{port}";

    private void Line(DateTime ts, string type, uint pid, byte* comm, string details) =>
        _output.WriteLine($"{ts:HH:mm:ss.ffffff} {type,-7} {pid,7} {EventWriter.Text(EventWriter.CString(comm, EventHeader.CommLength)),-16} {details}");

    public void Flush() => _output.Flush();
}

/// <summary>
/// fd 1 written with write(2). .NET's console stream drops EPIPE without a word (so <c>tracer monitor | head -1</c> would
/// run on for ever), and a FileStream over fd 1 writes at offsets of its own (pwrite), over stderr's lines when both go
/// to one file. Errors surface as <see cref="OutputFailedException"/>.
/// </summary>
internal sealed partial class StandardOutput : Stream
{
    private const int Fd = 1;
    private const int Eintr = 4;
    private const short PollErr = 0x8, PollHup = 0x10;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var written = WriteFd(Fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
            if (written < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr)
                    continue;
                throw new OutputFailedException(errno);
            }
            buffer = buffer[(int)written..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>True when nothing written would be read: a pipe whose reader has gone (POLLERR), or a hung-up end (POLLHUP).</summary>
    public static bool IsClosed()
    {
        var poll = new PollFd { Fd = Fd };
        return PollFds(ref poll, 1, 0) == 1 && (poll.Revents & (PollErr | PollHup)) != 0;
    }

    public override void Flush()
    {
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteFd(int fd, ref byte buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollFds(ref PollFd fds, nuint count, int timeoutMs);
}

/// <summary>stdout refused a write: <see cref="IsClosed"/> when its reader has gone (EPIPE), else full or broken.</summary>
internal sealed class OutputFailedException(int errno) : IOException(Marshal.GetPInvokeErrorMessage(errno), errno)
{
    private const int Epipe = 32;

    public bool IsClosed => HResult == Epipe;
}
