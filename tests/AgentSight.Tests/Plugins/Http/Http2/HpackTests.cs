using System.Text;
using AgentSight.Plugins.Http.Http2;
using AgentSight.Tests.Analyzers.Http2.Wire;
using CsCheck;

namespace AgentSight.Tests.Analyzers.Http2;

/// <summary>
/// HPACK (RFC 7541): the RFC's own examples, then any header lists encoded in any valid way (every representation,
/// Huffman or not, table sizes changing) decode to the same fields; decoded from the middle, never a wrong field.
/// </summary>
public sealed class HpackTests
{
    [Fact]
    public void The_RFC_requests_with_Huffman_decode_with_their_table_states()
    {
        // RFC 7541 C.4.1 to C.4.3: three requests on one connection.
        var decoder = new HpackDecoder(HpackDynamicTable.AtStart());

        var first = Decode(decoder, "828684418cf1e3c2e5f23a6ba0ab90f4ff");
        Assert.Equal(Expected([(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")]), first);
        Assert.Equal([(":authority", "www.example.com")], Entries(decoder));

        var second = Decode(decoder, "828684be5886a8eb10649cbf");
        Assert.Equal(Expected([(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache")]), second);
        Assert.Equal([("cache-control", "no-cache"), (":authority", "www.example.com")], Entries(decoder));

        var third = Decode(decoder, "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf");
        Assert.Equal(Expected([(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")]), third);
        Assert.Equal([("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com")], Entries(decoder));
    }

    [Fact]
    public void The_RFC_responses_evict_from_a_256_byte_table()
    {
        // RFC 7541 C.6.1 to C.6.3: SETTINGS_HEADER_TABLE_SIZE 256, so entries are evicted as responses come.
        var table = HpackDynamicTable.AtStart();
        table.SetMaxSize(256);
        var decoder = new HpackDecoder(table);

        var first = Decode(decoder, "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3");
        Assert.Equal([(":status", "302"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("location", "https://www.example.com")], first);
        Assert.Equal(4, table.Count);

        var second = Decode(decoder, "4883640effc1c0bf");
        Assert.Equal([(":status", "307"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("location", "https://www.example.com")], second);
        Assert.Equal([(":status", "307"), ("location", "https://www.example.com"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("cache-control", "private")], Entries(decoder));

        var third = Decode(decoder, "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007");
        Assert.Equal([(":status", "200"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:22 GMT"), ("location", "https://www.example.com"),
            ("content-encoding", "gzip"), ("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1")], third);
        Assert.Equal([("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"), ("content-encoding", "gzip"), ("date", "Mon, 21 Oct 2013 20:13:22 GMT")],
            Entries(decoder));
    }

    [Fact]
    public void Any_bytes_Huffman_coded_decode_to_themselves()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            var encoded = HpackEncoder.Huffman(bytes);
            var output = new byte[HuffmanDecoder.MaxDecodedLength(encoded.Length)];
            var written = HuffmanDecoder.Decode(encoded, output);
            Assert.Equal(bytes, output[..written]);
        }, iter: 3000);
    }

    [Fact]
    public void Huffman_padding_that_is_not_a_short_prefix_of_EOS_is_an_error()
    {
        var output = new byte[64];
        // "a" is 00011 (5 bits): padded with 111 it is valid, with 000 or 101 it is not.
        Assert.Equal(1, HuffmanDecoder.Decode([0b00011111], output));
        Assert.Equal(-1, HuffmanDecoder.Decode([0b00011000], output));
        Assert.Equal(-1, HuffmanDecoder.Decode([0b00011101], output));
        // Eight or more bits of padding, and EOS itself, are errors.
        Assert.Equal(-1, HuffmanDecoder.Decode([0b00011111, 0xFF], output));
        Assert.Equal(-1, HuffmanDecoder.Decode([0xFF, 0xFF, 0xFF, 0xFC], output));
    }

    [Fact]
    public void Header_lists_encoded_in_any_valid_way_decode_to_the_same_fields_and_table()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var encoder = new HpackEncoder(random);
            var decoder = new HpackDecoder(HpackDynamicTable.AtStart());
            for (var block = 0; block < 12; block++)
            {
                if (random.Next(5) == 0)
                {
                    encoder.SetMaxSize(random.Next(4) == 0 ? 0 : random.Next(0, 4097));
                }
                var fields = RandomFields(random);
                var decoded = new HeaderBlock(1 << 20);
                Assert.True(decoder.Decode(encoder.Encode(fields), decoded));
                Assert.Equal(0, decoded.Missed);
                Assert.Equal(Expected(fields), All(decoded));
                Assert.Equal(encoder.Table.Select(e => (e.Name, e.Value)).ToList(), Entries(decoder));
            }
        }, iter: 400);
    }

    [Fact]
    public void Decoding_from_the_middle_gives_only_true_fields_and_counts_the_rest()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var encoder = new HpackEncoder(random);
            var blocks = new List<(List<(string, string)> Fields, byte[] Bytes)>();
            // No cookies here: crumbs are joined, so a missed crumb would make the counts below not add up.
            for (var block = 0; block < 14; block++)
            {
                if (random.Next(6) == 0)
                {
                    encoder.SetMaxSize(random.Next(5) == 0 ? 0 : random.Next(100, 4097));
                }
                var fields = RandomFields(random).Where(f => f.Item1 != "cookie").ToList();
                blocks.Add((fields, encoder.Encode(fields)));
            }
            // The capture joins before a random block: the table is unknown from there.
            var decoder = new HpackDecoder(HpackDynamicTable.Unknown());
            foreach (var (fields, bytes) in blocks.Skip(random.Next(1, blocks.Count)))
            {
                var decoded = new HeaderBlock(1 << 20);
                Assert.True(decoder.Decode(bytes, decoded));
                var expected = Expected(fields);
                var got = All(decoded);
                Assert.True(IsSubsequence(got, expected), $"decoded {Show(got)} is not part of {Show(expected)}");
                Assert.Equal(expected.Count, got.Count + decoded.Missed);
            }
        }, iter: 600);
    }

    [Fact]
    public void A_size_update_to_zero_makes_a_table_seen_from_the_middle_known_again()
    {
        var encoder = new HpackEncoder();
        List<(string, string)> fields = [("x-a", "1"), ("x-b", "2")];
        encoder.Encode(fields);
        var decoder = new HpackDecoder(HpackDynamicTable.Unknown());
        var blind = new HeaderBlock(1 << 20);
        decoder.Decode(encoder.Encode(fields), blind);
        Assert.Equal(2, blind.Missed);

        encoder.SetMaxSize(0);
        encoder.SetMaxSize(4096);
        decoder.Decode(encoder.Encode(fields), new HeaderBlock(1 << 20));
        var known = new HeaderBlock(1 << 20);
        decoder.Decode(encoder.Encode(fields), known);

        Assert.Equal(0, known.Missed);
        Assert.Equal(Expected(fields), All(known));
        Assert.False(decoder.Table.TailUnknown);
    }

    [Fact]
    public void Broken_blocks_are_errors_and_leave_the_table_unknown()
    {
        foreach (var hex in new[] { "80", "ff", "41", "4188", "be", "7fffffffffffff", "3fe1ffffff0f" })
        {
            var decoder = new HpackDecoder(HpackDynamicTable.AtStart());
            Assert.False(decoder.Decode(Convert.FromHexString(hex), new HeaderBlock(1 << 20)), hex);
            Assert.True(decoder.Table.TailUnknown);
        }
    }

    private static List<(string, string)> RandomFields(Random random)
    {
        string[] names = ["content-type", "x-api-key", "user-agent", "accept", "cookie", "x-request-id", "anthropic-version", "authorization", "x-y"];
        string[] values = ["application/json", "sk-ant-FAKE", "curl/8", "*/*", "a=1", "ünïcödé ✓", "", "2023-06-01"];
        var fields = new List<(string, string)>
        {
            (":method", random.Next(2) == 0 ? "GET" : "POST"),
            (":path", "/v1/" + random.Next(5)),
            (":authority", random.Next(2) == 0 ? "api.anthropic.com" : "localhost"),
        };
        for (var i = random.Next(0, 8); i > 0; i--)
        {
            var name = random.Next(6) == 0 ? "x-random-" + random.Next(100) : names[random.Next(names.Length)];
            var value = random.Next(8) == 0 ? new string('z', random.Next(0, 5000)) : values[random.Next(values.Length)] + random.Next(3);
            fields.Add((name, value));
        }
        return fields;
    }

    /// <summary>The fields as a <see cref="HeaderBlock"/> gives them: pseudo-headers first (by name), cookies joined.</summary>
    private static List<(string, string)> Expected(List<(string Name, string Value)> fields)
    {
        var result = fields.Where(f => f.Name.StartsWith(':')).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        var cookie = -1;
        foreach (var (name, value) in fields.Where(f => !f.Name.StartsWith(':')))
        {
            if (name == "cookie" && cookie >= 0)
            {
                result[cookie] = (name, result[cookie].Item2 + "; " + value);
                continue;
            }
            if (name == "cookie")
            {
                cookie = result.Count;
            }
            result.Add((name, value));
        }
        return result;
    }

    private static List<(string, string)> All(HeaderBlock block)
    {
        var result = new List<(string, string)>();
        void Pseudo(string name, string? value)
        {
            if (value is not null)
            {
                result.Add((name, value));
            }
        }
        // In name order, as Normal puts them.
        Pseudo(":authority", block.Authority);
        Pseudo(":method", block.Method);
        Pseudo(":path", block.Path);
        Pseudo(":scheme", block.Scheme);
        Pseudo(":status", block.Status);
        result.AddRange(block.Fields.Select(f => (f.Key, f.Value)));
        return result;
    }

    private static bool IsSubsequence(List<(string, string)> part, List<(string, string)> whole)
    {
        // Pseudo-headers are compared as a set (their order is fixed by All), the rest in order.
        var pseudo = whole.Where(f => f.Item1.StartsWith(':')).ToHashSet();
        if (!part.Where(f => f.Item1.StartsWith(':')).All(pseudo.Contains))
        {
            return false;
        }
        var rest = whole.Where(f => !f.Item1.StartsWith(':')).ToList();
        var at = 0;
        foreach (var field in part.Where(f => !f.Item1.StartsWith(':')))
        {
            while (at < rest.Count && rest[at] != field && !CookiePart(field, rest[at]))
            {
                at++;
            }
            if (at == rest.Count)
            {
                return false;
            }
            at++;
        }
        return true;
    }

    /// <summary>Cookies joined from the crumbs that could be decoded are a part of the whole joined cookie.</summary>
    private static bool CookiePart((string, string) part, (string, string) whole) =>
        part.Item1 == "cookie" && whole.Item1 == "cookie" && part.Item2.Split("; ").All(c => whole.Item2.Split("; ").Contains(c));

    private static string Show(List<(string, string)> fields) => string.Join(", ", fields.Select(f => $"{f.Item1}={f.Item2[..Math.Min(20, f.Item2.Length)]}"));

    private static List<(string, string)> Decode(HpackDecoder decoder, string hex)
    {
        var block = new HeaderBlock(1 << 20);
        Assert.True(decoder.Decode(Convert.FromHexString(hex), block));
        Assert.Equal(0, block.Missed);
        return All(block);
    }

    private static List<(string, string)> Entries(HpackDecoder decoder) =>
        [.. Enumerable.Range(0, decoder.Table.Count).Select(i => (decoder.Table[i].Name!, decoder.Table[i].Value))];
}
