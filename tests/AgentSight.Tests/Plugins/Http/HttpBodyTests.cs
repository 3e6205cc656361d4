using System.Text;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Tests.Analyzers.Support;

namespace AgentSight.Tests.Analyzers.Http;

/// <summary>Bodies: chunked framing, content encodings, streamed pieces, caps and lost bytes.</summary>
public sealed class HttpBodyTests
{
    private static readonly byte[] Sse = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i =>
        $"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"héllo wörld {i} ✓\"}}}}\n\n")));

    [Fact]
    public void Chunked_framing_with_extensions_trailers_and_either_case_of_hex_is_undone()
    {
        var response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "A;name=value\r\n0123456789\r\n"
            + "b\r\nabcdefghijk\r\n"
            + "0\r\nX-Trailer: yes\r\n\r\n";
        var wire = new Wire().Write("GET / HTTP/1.1\r\nHost: h\r\n\r\n").Read(response).Write("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n").Read(Wire.Response("ok"));

        var exchanges = HttpRun.Of(wire.Events).Exchanges;

        Assert.Equal("0123456789abcdefghijk", (string?)exchanges[0]["response"]!["body"]);
        Assert.Equal("ok", (string?)exchanges[1]["response"]!["body"]);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("x-gzip")]
    [InlineData("deflate")]
    [InlineData("deflate-raw")]
    [InlineData("br")]
    public void Compressed_bodies_are_decoded_across_any_reads(string encoding)
    {
        var json = Encoding.UTF8.GetBytes("{\"text\":\"" + new string('x', 5000) + " and ünïcödé\"}");
        var compressed = encoding switch
        {
            "gzip" or "x-gzip" => Wire.Gzip(json),
            "deflate" => Wire.Zlib(json),
            "deflate-raw" => Wire.RawDeflate(json),
            _ => Wire.Brotli(json),
        };
        var header = encoding == "deflate-raw" ? "deflate" : encoding;
        var wire = new Wire().Write("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        var head = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: {header}\r\nContent-Length: {compressed.Length}\r\n\r\n";
        wire.Add(TlsDirection.Read, [.. Encoding.ASCII.GetBytes(head), .. compressed[..3]]);
        for (var i = 3; i < compressed.Length; i += 5)
        {
            wire.Add(TlsDirection.Read, compressed[i..Math.Min(compressed.Length, i + 5)]);
        }

        var run = HttpRun.Of(wire.Events);

        var response = Assert.Single(run.Exchanges)["response"]!;
        Assert.Equal(Encoding.UTF8.GetString(json), (string?)response["body"]);
        Assert.Equal(json.Length, (long)response["body_size"]!);
        Assert.Equal(header, (string?)response["content_encoding"]);
        Assert.Equal(0, run.Counter("decode_errors"));
    }

    [Fact]
    public void A_streamed_gzip_event_stream_goes_on_as_decoded_text_pieces()
    {
        var compressed = Wire.Gzip(Sse);
        var chunked = new List<byte>();
        for (var i = 0; i < compressed.Length; i += 97)
        {
            var piece = compressed[i..Math.Min(compressed.Length, i + 97)];
            chunked.AddRange(Encoding.ASCII.GetBytes(piece.Length.ToString("X") + "\r\n"));
            chunked.AddRange(piece);
            chunked.AddRange("\r\n"u8.ToArray());
        }
        chunked.AddRange("0\r\n\r\n"u8.ToArray());
        var wire = new Wire().Write(Wire.Request("{}"))
            .Add(TlsDirection.Read, Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"));
        var bytes = chunked.ToArray();
        for (var i = 0; i < bytes.Length; i += 61)
        {
            wire.Add(TlsDirection.Read, bytes[i..Math.Min(bytes.Length, i + 61)]);
        }

        var run = HttpRun.Of(wire.Events);

        var exchange = Assert.Single(run.Exchanges);
        Assert.True((bool)exchange["response"]!["streamed"]!);
        Assert.Null(exchange["response"]!["body"]);
        Assert.Equal(Sse.Length, (long)exchange["response"]!["body_size"]!);
        Assert.Equal(Sse, run.StreamedBody((string)exchange["exchange_id"]!));
        // Pieces come before their exchange, and none is binary although reads cut characters in half.
        Assert.True(run.Output.Events.FindLastIndex(e => e.Source == "http_body") < run.Output.Events.FindIndex(e => e.Source == "http"));
        Assert.All(run.Pieces, p => Assert.False(((string)p["data"]!).StartsWith("HEX:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Streamed_pieces_carry_offsets_host_path_and_content_type()
    {
        var wire = new Wire().Write(Wire.Request("{}", path: "/v1/messages?beta=true")).Read(Wire.StreamHead());
        for (var i = 0; i < Sse.Length; i += 1000)
        {
            wire.Add(TlsDirection.Read, Wire.Latin1(Wire.Chunk(Sse[i..Math.Min(Sse.Length, i + 1000)])));
        }
        wire.Read(Wire.LastChunk);

        var run = HttpRun.Of(wire.Events);

        long expected = 0;
        foreach (var piece in run.Pieces)
        {
            Assert.Equal(expected, (long)piece["offset"]!);
            expected += TlsPayload.DecodeData((string)piece["data"]!).Length;
            Assert.Equal("api.anthropic.com", (string?)piece["host"]);
            Assert.Equal("/v1/messages?beta=true", (string?)piece["path"]);
            Assert.Equal("text/event-stream; charset=utf-8", (string?)piece["content_type"]);
        }
        Assert.Equal(Sse.Length, expected);
    }

    [Fact]
    public void A_body_beyond_the_cap_is_cut_but_its_size_counted()
    {
        var body = new string('z', 10_000);
        var wire = new Wire().Write(Wire.Request(body)).Read(Wire.Response("ok"));

        var run = HttpRun.Of(wire.Events, new HttpAnalyzerConfig { MaxBodyBytes = 1000 });

        var request = Assert.Single(run.Exchanges)["request"]!;
        Assert.Equal(1000, ((string)request["body"]!).Length);
        Assert.True((bool)request["body_truncated"]!);
        Assert.Equal(10_000, (long)request["body_size"]!);
        Assert.Equal(1, run.Counter("bodies_truncated"));
    }

    [Fact]
    public void Bytes_the_capture_lost_inside_a_body_cut_it_and_the_next_message_is_still_found()
    {
        var body = new string('q', 300);
        var request = Encoding.UTF8.GetBytes(Wire.Request(body));
        var wire = new Wire()
            .Add(TlsDirection.Write, request[..(request.Length - 100)], bytesLost: 100)
            .Read(Wire.Response("first"))
            .Write(Wire.Request("{}"))
            .Read(Wire.Response("second"));

        var run = HttpRun.Of(wire.Events);

        Assert.Equal(2, run.Exchanges.Count);
        Assert.True((bool)run.Exchanges[0]["request"]!["body_truncated"]!);
        Assert.Equal("second", (string?)run.Exchanges[1]["response"]!["body"]);
        Assert.Equal(1, run.Counter("capture_gaps"));
    }

    [Fact]
    public void Bytes_lost_where_the_framing_was_cut_the_exchange_and_the_stream_finds_its_feet_at_the_next_message()
    {
        var wire = new Wire().Write(Wire.Request("{}")).Read(Wire.StreamHead()).Add(TlsDirection.Read, Wire.Latin1("5\r\nhel"), bytesLost: 40)
            .Read("garbage that is not a chunk\r\n")
            .Write(Wire.Request("{}"))
            .Read(Wire.Response("after"));

        var run = HttpRun.Of(wire.Events);

        Assert.Equal(["capture_gap", "response_end"], run.Exchanges.Select(e => (string?)e["end_reason"]));
        Assert.False((bool)run.Exchanges[0]["complete"]!);
        Assert.Equal("after", (string?)run.Exchanges[1]["response"]!["body"]);
        Assert.Contains(wire.Events[3], run.Raw);
    }

    [Fact]
    public void A_corrupt_compressed_body_is_counted_and_what_was_decoded_kept()
    {
        var good = Wire.Gzip(Encoding.UTF8.GetBytes(new string('a', 3000)));
        var corrupt = good.ToArray();
        for (var i = 30; i < corrupt.Length - 8; i++)
        {
            corrupt[i] ^= 0x5A;
        }
        var wire = new Wire().Write("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            .Add(TlsDirection.Read, [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {corrupt.Length}\r\n\r\n"), .. corrupt])
            .Write("GET / HTTP/1.1\r\nHost: h\r\n\r\n").Read(Wire.Response("fine"));

        var run = HttpRun.Of(wire.Events);

        Assert.Equal(2, run.Exchanges.Count);
        Assert.True((bool)run.Exchanges[0]["response"]!["body_truncated"]!);
        Assert.Equal(1, run.Counter("decode_errors"));
        Assert.Equal("fine", (string?)run.Exchanges[1]["response"]!["body"]);
    }

    [Fact]
    public void An_encoding_not_decoded_here_keeps_the_body_as_sent()
    {
        var bytes = new byte[] { 0x28, 0xB5, 0x2F, 0xFD, 1, 2, 3 };
        var wire = new Wire().Add(TlsDirection.Write,
            [.. Encoding.ASCII.GetBytes($"POST /v1/responses HTTP/1.1\r\nHost: chatgpt.com\r\nContent-Encoding: zstd\r\nContent-Length: {bytes.Length}\r\n\r\n"), .. bytes])
            .Read(Wire.Response("{}"));

        var run = HttpRun.Of(wire.Events);

        var request = Assert.Single(run.Exchanges)["request"]!;
        Assert.Equal("HEX:" + Convert.ToHexStringLower(bytes), (string?)request["body"]);
        Assert.Equal("zstd", (string?)request["content_encoding"]);
        Assert.Equal(1, run.Counter("undecoded_bodies"));
    }
}
