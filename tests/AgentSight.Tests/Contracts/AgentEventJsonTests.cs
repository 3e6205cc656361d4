using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Contracts;

public sealed class AgentEventJsonTests
{
    private static AgentEvent RoundTrip(AgentEvent evt)
    {
        var line = AgentEventJson.ToJson(evt);
        Assert.True(AgentEventJson.TryParse(Encoding.UTF8.GetBytes(line), out var parsed, out var error), error);
        return parsed;
    }

    [Fact]
    public void A_line_has_the_keys_the_original_tools_read_in_a_fixed_order()
    {
        var line = AgentEventJson.ToJson(Some.SslEvent("hi", pid: 7, tid: 8, comm: "node", timestamp: 123));

        Assert.StartsWith("""{"timestamp":123,"source":"ssl","pid":7,"tid":8,"comm":"node","data":{"function":"READ/RECV","conn_id":"0x558100001000","uid":1000,"len":2,"latency_ms":0.214,"is_handshake":false,"data":"hi","truncated":false}}""", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_calls_latency_is_written_as_its_milliseconds_as_a_double_would_be()
    {
        // Every nanosecond count up to 2,000, then spread over every order of magnitude up to 3 * 10^16 and past the
        // ends of the digit-by-digit form (exponent notation below 0.0001 ms, 15 significant digits above 10^15 ns).
        var random = new Random(11);
        foreach (var ns in Enumerable.Range(0, 2000).Select(i => (long)i).Concat([99, 100, 999_999_999_999_999, 1_000_000_000_000_000, long.MaxValue])
            .Concat(Enumerable.Range(0, 5000).Select(_ => (long)Math.Pow(10, random.NextDouble() * 16.5))))
        {
            var payload = new TlsPayload(TlsDirection.Read, "hi"u8.ToArray(), 2) { LatencyNs = ns };
            var line = AgentEventJson.ToJson(new AgentEvent(1, EventSources.Ssl, 2, 3, "x", payload));
            const string Key = "\"latency_ms\":";
            var written = line[(line.IndexOf(Key, StringComparison.Ordinal) + Key.Length)..];
            Assert.Equal(JsonValue.Create(ns / 1_000_000.0).ToJsonString(), written[..written.IndexOf(',', StringComparison.Ordinal)]);
        }
    }

    [Theory]
    [InlineData("POST /v1/messages HTTP/1.1\r\nhost: api.anthropic.com\r\n\r\n{\"q\":\"café 日本 🎉\"}")]
    [InlineData("")]
    [InlineData("HEX:not really hex")]
    public void Text_payloads_survive_a_round_trip_exactly(string text)
    {
        var parsed = RoundTrip(Some.SslEvent(text));

        var tls = Assert.IsType<TlsPayload>(parsed.Data);
        Assert.Equal(text, Encoding.UTF8.GetString(tls.Bytes.Span));
        Assert.True(tls.HasBytes);
    }

    [Fact]
    public void Binary_and_control_bytes_are_written_as_hex_and_read_back_exactly()
    {
        byte[] bytes = [0x1f, 0x8b, 0x08, 0x00, 0xff, 0xc3, 0x28, (byte)'a', 0x00, 0xC2, 0x85];
        var evt = Some.SslEvent(bytes);

        var line = AgentEventJson.ToJson(evt);
        var parsed = RoundTrip(evt);

        Assert.Contains("\"data\":\"HEX:1f8b0800ffc32861" + "00c285\"", line, StringComparison.Ordinal);
        Assert.Equal(bytes, ((TlsPayload)parsed.Data).Bytes.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x68, 0x69 }, "hi")]
    [InlineData(new byte[] { 0x00, 0xff }, "HEX:00ff")]
    [InlineData(new byte[] { 0x48, 0x45, 0x58, 0x3a, 0x41 }, "HEX:4845583a41")]
    public void Bytes_have_one_string_form_that_decodes_back_exactly(byte[] bytes, string expected)
    {
        Assert.Equal(expected, TlsPayload.FormatData(bytes));
        Assert.Equal(bytes, TlsPayload.DecodeData(TlsPayload.FormatData(bytes)));
    }

    [Fact]
    public void Handshakes_have_null_data_and_truncated_captures_say_what_was_cut()
    {
        var handshake = new AgentEvent(1, EventSources.Ssl, 1, 1, "curl", new TlsPayload(TlsDirection.Handshake, default, 1));
        var cut = new AgentEvent(1, EventSources.Ssl, 1, 1, "curl", new TlsPayload(TlsDirection.Write, "abc"u8.ToArray(), 1000) { BytesLost = 997 });

        Assert.Contains("\"is_handshake\":true,\"data\":null", AgentEventJson.ToJson(handshake), StringComparison.Ordinal);
        Assert.Contains("\"truncated\":true,\"bytes_lost\":997", AgentEventJson.ToJson(cut), StringComparison.Ordinal);
        var parsed = (TlsPayload)RoundTrip(cut).Data;
        Assert.Equal((TlsDirection.Write, 1000L, 997L, true), (parsed.Direction, parsed.Length, parsed.BytesLost, parsed.Truncated));
        Assert.False(((TlsPayload)RoundTrip(handshake).Data).HasBytes);
    }

    [Fact]
    public void Reads_the_original_collectors_lines_with_sorted_keys_and_no_tid()
    {
        var line = """{"comm":"claude","data":{"comm":"claude","data":"0\r\n\r\n","function":"READ/RECV","is_handshake":false,"latency_ms":0,"len":5,"pid":4242,"tid":4250,"timestamp_ns":86469533207690,"truncated":false,"uid":1000},"pid":4242,"source":"ssl","timestamp":86469533207690}""";

        Assert.True(AgentEventJson.TryParse(Encoding.UTF8.GetBytes(line), out var evt, out var error), error);

        Assert.Equal((4242, 4250, "claude", 86469533207690L), (evt.Pid, evt.Tid, evt.Comm, evt.Timestamp));
        var tls = Assert.IsType<TlsPayload>(evt.Data);
        Assert.Equal("0\r\n\r\n", Encoding.UTF8.GetString(tls.Bytes.Span));
        Assert.Equal(1000u, tls.Uid);
    }

    [Fact]
    public void The_originals_null_payload_string_means_no_bytes()
    {
        var line = """{"comm":"c","data":{"data":"null","function":"HANDSHAKE","is_handshake":true,"len":1},"pid":1,"source":"ssl","timestamp":1}""";

        Assert.True(AgentEventJson.TryParse(Encoding.UTF8.GetBytes(line), out var evt, out _));

        Assert.False(((TlsPayload)evt.Data).HasBytes);
    }

    [Fact]
    public void Other_sources_keep_their_data_as_fields()
    {
        var evt = Some.JsonEvent("http_parser", new JsonObject { ["method"] = "POST", ["headers"] = new JsonObject { ["host"] = "x" } });

        var parsed = RoundTrip(evt);

        Assert.Equal("POST", parsed.Fields!["method"]!.GetValue<string>());
        Assert.Equal("x", parsed.Fields["headers"]!["host"]!.GetValue<string>());
    }

    [Fact]
    public void Stdio_and_websocket_payloads_survive_a_round_trip()
    {
        var stdio = RoundTrip(new AgentEvent(5, EventSources.Stdio, 7, 8, "node",
            new StdioPayload(IoDirection.Write, 1, Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1}\n"), 40)
            {
                Kind = "unix",
                StreamId = 4711,
                PeerPid = 9,
                BytesLost = 14,
            }));
        var message = RoundTrip(new AgentEvent(6, EventSources.WebSocket, 7, 8, "codex",
            new WebSocketMessagePayload("7:0x1:0", "0x1", fromClient: false, "close")
            {
                TracedIsServer = false,
                HasText = true,
                Text = "bye"u8.ToArray(),
                Size = 5,
                Frames = 1,
                StartNs = 5,
                EndNs = 6,
                CloseCode = 1000,
            }));

        var pipe = Assert.IsType<StdioPayload>(stdio.Data);
        Assert.Equal((IoDirection.Write, 1, "unix", 4711UL, (int?)9, 40L, 14L), (pipe.Direction, pipe.Fd, pipe.Kind, pipe.StreamId, pipe.PeerPid, pipe.Length, pipe.BytesLost));
        Assert.Equal("{\"jsonrpc\":\"2.0\",\"id\":1}\n", Encoding.UTF8.GetString(pipe.Bytes.Span));
        var ws = Assert.IsType<WebSocketMessagePayload>(message.Data);
        Assert.Equal(("7:0x1:0", "0x1", false, "close", "bye", (long?)5, (int?)1000, 6L),
            (ws.ExchangeId, ws.ConnectionId, ws.FromClient, ws.Opcode, Encoding.UTF8.GetString(ws.Text.Span), ws.Size, ws.CloseCode, ws.EndNs));
        Assert.Equal(AgentEventJson.ToJson(message), AgentEventJson.ToJson(RoundTrip(message)));
    }

    [Fact]
    public void Plaintext_socket_events_read_back_as_tls_payloads_for_the_http_analyzer()
    {
        var evt = Some.SslEvent("GET / HTTP/1.1\r\n\r\n");
        evt.Source = EventSources.Socket;

        var parsed = RoundTrip(evt);

        Assert.Equal("GET / HTTP/1.1\r\n\r\n", Encoding.UTF8.GetString(Assert.IsType<TlsPayload>(parsed.Data).Bytes.Span));
    }

    [Theory]
    [InlineData("not json", "invalid JSON")]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("""{"source":"ssl","data":{}}""", "missing \"timestamp\"")]
    [InlineData("""{"timestamp":"now","source":"x","data":{}}""", "\"timestamp\" is not an integer")]
    [InlineData("""{"timestamp":1,"data":{}}""", "missing or empty \"source\"")]
    [InlineData("""{"timestamp":1,"source":"x","comm":5,"data":{}}""", "\"comm\" is not a string")]
    [InlineData("""{"timestamp":1,"source":"x"}""", "missing \"data\" object")]
    [InlineData("""{"timestamp":1,"source":"ssl","data":{"function":"PEEK"}}""", "unknown ssl function \"PEEK\"")]
    public void Bad_lines_say_what_is_wrong(string line, string expected)
    {
        Assert.False(AgentEventJson.TryParse(Encoding.UTF8.GetBytes(line), out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Payloads_shared_by_several_sinks_can_be_read_concurrently()
    {
        Assert.True(AgentEventJson.TryParse(Encoding.UTF8.GetBytes(
            """{"timestamp":1,"source":"llm","data":{"a":{"b":[1,2,{"c":"d"}]},"e":"f"}}"""), out var evt, out _));
        evt.MarkShared(readers: 8);

        var lines = new string[8];
        Parallel.For(0, lines.Length, i => lines[i] = AgentEventJson.ToJson(evt));

        Assert.All(lines, l => Assert.Equal(lines[0], l));
        Assert.Contains("\"c\":\"d\"", lines[0], StringComparison.Ordinal);
    }
}
