using Tracer.Dns;

namespace TracerBuild.Tests;

/// <summary>The DNS decoder on real message bytes, on each fault hostile input can carry, and on fuzzed input: never an exception.</summary>
public sealed class DnsMessageTests
{
    /// <summary>A query for example.com A, id 0x1234, as busybox nslookup sends it.</summary>
    private static readonly byte[] Query = Hex("1234 0100 0001 0000 0000 0000 076578616d706c6503636f6d00 0001 0001");

    /// <summary>Its response: a CNAME to www.example.com (compressed), that name's A and an AAAA, all through pointers.</summary>
    private static readonly byte[] Response = Hex(
        "1234 8180 0001 0003 0000 0000 076578616d706c6503636f6d00 0001 0001" +
        "c00c 0005 0001 0000012c 0006 03777777c00c" +         // example.com CNAME www.example.com (at 41)
        "c029 0001 0001 0000003c 0004 5db8d822" +             // www.example.com A 93.184.216.34
        "c029 001c 0001 0000003c 0010 20010db8000000000000000000000001");

    [Fact]
    public void A_query_and_its_response_decode_with_every_field()
    {
        var query = DnsMessage.Decode(Query);
        Assert.Null(query.Malformed);
        Assert.Equal((0x1234, false, 0), (query.Id, query.IsResponse, (int)query.Opcode));
        Assert.Equal([new DnsQuestion("example.com", 1)], query.Questions);
        Assert.Empty(query.Answers);

        var response = DnsMessage.Decode(Response);
        Assert.Null(response.Malformed);
        Assert.True(response.IsResponse);
        Assert.Equal("NOERROR", DnsMessage.ResponseCodeName(response.ResponseCode));
        Assert.Equal(
        [
            new DnsAnswer("example.com", 5, 300, "www.example.com"),
            new DnsAnswer("www.example.com", 1, 60, "93.184.216.34"),
            new DnsAnswer("www.example.com", 28, 60, "2001:db8::1"),
        ], response.Answers);
        Assert.Equal(["CNAME", "A", "AAAA"], response.Answers.Select(a => DnsMessage.TypeName(a.Type)));
    }

    [Fact]
    public void Nxdomain_and_tcp_framing_decode()
    {
        var nxdomain = (byte[])Query.Clone();
        nxdomain[2] = 0x81;
        nxdomain[3] = 0x83;
        var message = DnsMessage.Decode(nxdomain);
        Assert.Equal(("NXDOMAIN", true), (DnsMessage.ResponseCodeName(message.ResponseCode), message.IsResponse));

        var tcp = DnsMessage.DecodeTcp([0, (byte)Response.Length, .. Response]);
        Assert.Null(tcp.Malformed);
        Assert.Equal(3, tcp.Answers.Count);
        var cut = DnsMessage.DecodeTcp([0, (byte)(Response.Length + 10), .. Response]);
        Assert.Equal("truncated capture", cut.Malformed);
        Assert.Equal(3, cut.Answers.Count);
    }

    [Theory]
    [InlineData("1234 0100 0001 0000 0000 0000 c00c 0001 0001", "name pointer loops or points forward")] // points at itself
    [InlineData("1234 0100 0001 0000 0000 0000 c00e c00c 0001 0001", "name pointer loops or points forward")] // forward, then back
    [InlineData("1234 0100 0001 0000 0000 0000 01 61 c0ff 0001 0001", "name pointer loops or points forward")] // past the end
    [InlineData("1234 0100 0001 0000 0000 0000 0f 616161616161", "name past the end")] // label past the end
    [InlineData("1234 0100 0001 0000 0000 0000 40 00 0001 0001", "unknown label type")]
    [InlineData("1234 0100 ffff 0000 0000 0000 0161 00 0001 0001", "counts past the end")]
    [InlineData("1234 8180 0001 0005 0000 0000 0161 00 0001 0001 c00c 0001 0001 00000001 0004 01020304", "counts past the end")]
    [InlineData("1234 8180 0001 0001 0000 0000 0161 00 0001 0001 c00c 0001 0001 00000001 0009 01020304", "record past the end")]
    [InlineData("1234 8180 0001 0001 0000 0000 0161 00 0001 0001 c00c 0001 0001 00000001 0003 010203", "bad rdata length")]
    [InlineData("1234 0100", "shorter than a header")]
    public void Hostile_input_is_named_never_thrown(string hex, string fault)
    {
        Assert.Equal(fault, DnsMessage.Decode(Hex(hex)).Malformed);
    }

    [Fact]
    public void A_label_longer_than_63_and_a_name_longer_than_255_are_refused()
    {
        byte[] header = Hex("1234 0100 0001 0000 0000 0000");
        // 64 has the 0x40 bit of a (retired) label type: no length byte can say more than 63.
        Assert.Equal("unknown label type", DnsMessage.Decode([.. header, 64, .. new byte[64], 0, 0, 1, 0, 1]).Malformed);
        var labels = Enumerable.Repeat<byte[]>([10, .. "abcdefghij"u8.ToArray()], 25).SelectMany(l => l);
        Assert.Equal("name longer than 255", DnsMessage.Decode([.. header, .. labels, 0, 0, 1, 0, 1]).Malformed);
    }

    [Fact]
    public void Every_truncation_of_a_response_decodes_without_an_exception_and_says_it_is_cut()
    {
        for (var length = 0; length < Response.Length; length++)
            Assert.NotNull(DnsMessage.Decode(Response.AsSpan(0, length)).Malformed);
        Assert.Null(DnsMessage.Decode(Response).Malformed);
    }

    [Fact]
    public void Two_hundred_thousand_fuzzed_messages_never_throw_and_names_stay_bounded()
    {
        var random = new Random(27);
        byte[][] samples = [Query, Response];
        for (var i = 0; i < 200_000; i++)
        {
            var message = Mutate(random, samples[i % 2]);
            var decoded = i % 3 == 0 ? DnsMessage.DecodeTcp(message) : DnsMessage.Decode(message);
            Assert.All(decoded.Questions.Select(q => q.Name).Concat(decoded.Answers.Select(a => a.Name)), name => Assert.InRange(name.Length, 1, 255 * 4));
        }
    }

    private static byte[] Mutate(Random random, byte[] sample)
    {
        if (random.Next(10) == 0)
        {
            var noise = new byte[random.Next(0, 300)];
            random.NextBytes(noise);
            return noise;
        }
        var bytes = sample.ToList();
        for (var edits = random.Next(1, 6); edits > 0 && bytes.Count > 0; edits--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.Insert(at, (byte)random.Next(256)); break;
                case 2: bytes.RemoveAt(at); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return [.. bytes];
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));
}
