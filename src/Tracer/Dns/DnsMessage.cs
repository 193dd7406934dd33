using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Tracer.Dns;

internal sealed record DnsQuestion(string Name, ushort Type);

/// <summary>An answer record: Data is the address for A and AAAA, the target name for CNAME, NS and PTR, else hex.</summary>
internal sealed record DnsAnswer(string Name, ushort Type, uint Ttl, string Data);

/// <summary>
/// A DNS message as far as it could be read. Hostile input (pointer loops, pointers past the end, counts that lie,
/// truncation) never throws: decoding stops at the first fault, keeps what it read, and names the fault in
/// <see cref="Malformed"/>.
/// </summary>
internal sealed class DnsMessage
{
    private const int HeaderLength = 12, MaxName = 255, MaxJumps = 64;

    public ushort Id { get; private init; }
    public bool IsResponse { get; private init; }
    public byte Opcode { get; private init; }
    public byte ResponseCode { get; private init; }
    public bool Truncated { get; private init; }
    public List<DnsQuestion> Questions { get; } = [];
    public List<DnsAnswer> Answers { get; } = [];

    /// <summary>Null when the message decoded cleanly; otherwise what was wrong, in a few words.</summary>
    public string? Malformed { get; private set; }

    /// <summary>This message with a fault found outside it (a capture cut short).</summary>
    public DnsMessage WithFault(string fault)
    {
        Malformed ??= fault;
        return this;
    }

    /// <summary>A message over TCP: a two-byte length, then the message.</summary>
    public static DnsMessage DecodeTcp(ReadOnlySpan<byte> stream)
    {
        if (stream.Length < 2)
            return new DnsMessage { Malformed = "shorter than a TCP length" };
        var length = BinaryPrimitives.ReadUInt16BigEndian(stream);
        var body = stream[2..];
        if (body.Length >= length)
            return Decode(body[..length]);
        var message = Decode(body);
        message.Malformed ??= "truncated capture";
        return message;
    }

    public static DnsMessage Decode(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderLength)
            return new DnsMessage { Malformed = "shorter than a header" };
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        var result = new DnsMessage
        {
            Id = BinaryPrimitives.ReadUInt16BigEndian(message),
            IsResponse = (flags & 0x8000) != 0,
            Opcode = (byte)((flags >> 11) & 0xF),
            Truncated = (flags & 0x0200) != 0,
            ResponseCode = (byte)(flags & 0xF),
        };
        int questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]), answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        // Each question takes at least 5 bytes, each record 11: counts that cannot fit are lies, whatever follows.
        if (HeaderLength + questions * 5 + answers * 11 > message.Length)
            result.Malformed = "counts past the end";
        var offset = HeaderLength;
        for (var i = 0; i < questions && result.Malformed is null; i++)
        {
            if (ReadName(message, ref offset, out var name) is { } fault)
                result.Malformed = fault;
            else if (offset + 4 > message.Length)
                result.Malformed = "question past the end";
            else
            {
                result.Questions.Add(new(name, BinaryPrimitives.ReadUInt16BigEndian(message[offset..])));
                offset += 4;
            }
        }
        for (var i = 0; i < answers && result.Malformed is null; i++)
            result.Malformed = ReadAnswer(message, ref offset, result.Answers);
        return result;
    }

    private static string? ReadAnswer(ReadOnlySpan<byte> message, ref int offset, List<DnsAnswer> answers)
    {
        if (ReadName(message, ref offset, out var name) is { } fault)
            return fault;
        if (offset + 10 > message.Length)
            return "record past the end";
        var type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 4)..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
        offset += 10;
        if (offset + length > message.Length)
            return "record past the end";
        var data = message.Slice(offset, length);
        string text;
        switch (type)
        {
            case 1 or 28 when data.Length != (type == 1 ? 4 : 16):
                return "bad rdata length";
            case 1 or 28:
                text = new IPAddress(data).ToString();
                break;
            case 2 or 5 or 12:
                var at = offset;
                if (ReadName(message, ref at, out text) is { } nameFault)
                    return nameFault;
                if (at > offset + length)
                    return "bad rdata length";
                break;
            default:
                text = Convert.ToHexStringLower(data);
                break;
        }
        offset += length;
        answers.Add(new(name, type, ttl, text));
        return null;
    }

    /// <summary>
    /// A name at <paramref name="offset"/>, which moves past it. A compression pointer must point before the name's
    /// own start (so no loop can form); the jump count is a second guard.
    /// </summary>
    private static string? ReadName(ReadOnlySpan<byte> message, ref int offset, out string name)
    {
        name = "";
        var text = new StringBuilder();
        var position = offset;
        var limit = offset; // a pointer must point before this
        var jumped = false;
        var length = 0;
        for (var jumps = 0; ;)
        {
            if (position >= message.Length)
                return "name past the end";
            var label = message[position];
            if (label == 0)
            {
                if (!jumped)
                    offset = position + 1;
                break;
            }
            switch (label & 0xC0)
            {
                case 0xC0:
                    if (position + 1 >= message.Length)
                        return "name past the end";
                    var target = ((label & 0x3F) << 8) | message[position + 1];
                    if (target >= limit || ++jumps > MaxJumps)
                        return "name pointer loops or points forward";
                    if (!jumped)
                        offset = position + 2;
                    jumped = true;
                    limit = target;
                    position = target;
                    continue;
                // A length above 63 has one of these bits: the label types RFC 6891 retired.
                case 0x40 or 0x80:
                    return "unknown label type";
            }
            if (position + 1 + label > message.Length)
                return "name past the end";
            length += label + 1;
            if (length > MaxName)
                return "name longer than 255";
            if (text.Length > 0)
                text.Append('.');
            foreach (var b in message.Slice(position + 1, label))
            {
                if (b == '.' || b == '\\')
                    text.Append('\\').Append((char)b);
                else if (b is > 0x20 and < 0x7F)
                    text.Append((char)b);
                else
                    text.Append('\\').Append(b.ToString("D3"));
            }
            position += 1 + label;
        }
        name = text.Length == 0 ? "." : text.ToString();
        return null;
    }

    public static string TypeName(ushort type) => type switch
    {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        41 => "OPT",
        64 => "SVCB",
        65 => "HTTPS",
        255 => "ANY",
        _ => $"TYPE{type}",
    };

    public static string ResponseCodeName(byte code) => code switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        _ => $"RCODE{code}",
    };
}
