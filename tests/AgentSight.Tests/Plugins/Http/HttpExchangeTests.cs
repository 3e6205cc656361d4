using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Tests.Analyzers.Support;

namespace AgentSight.Tests.Analyzers.Http;

/// <summary>Requests and responses are rebuilt per connection and direction and paired, whatever the reads.</summary>
public sealed class HttpExchangeTests
{
    private const string Body = """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""";
    private const string Answer = """{"id":"msg_1","type":"message","content":[{"type":"text","text":"Hello!"}]}""";

    [Fact]
    public void A_request_and_its_response_become_one_exchange_with_every_field()
    {
        var wire = new Wire().Write(Wire.Request(Body, extraHeaders: "x-api-key: sk-ant-FAKE\r\nX-Dup: a\r\nx-dup: b\r\n"))
            .Read(Wire.Response(Answer, extraHeaders: "request-id: req_1\r\n"));

        var run = HttpRun.Of(wire.Events);

        var exchange = Assert.Single(run.Exchanges);
        Assert.Equal("4242:0x1000:1", (string?)exchange["exchange_id"]);
        Assert.Equal("0x1000", (string?)exchange["conn_id"]);
        Assert.Equal("client", (string?)exchange["role"]);
        Assert.True((bool)exchange["complete"]!);
        Assert.Equal("response_end", (string?)exchange["end_reason"]);
        var request = exchange["request"]!;
        Assert.Equal("POST", (string?)request["method"]);
        Assert.Equal("/v1/messages", (string?)request["path"]);
        Assert.Equal("HTTP/1.1", (string?)request["version"]);
        Assert.Equal("api.anthropic.com", (string?)request["host"]);
        Assert.Equal("sk-ant-FAKE", (string?)request["headers"]!["x-api-key"]);
        Assert.Equal("a, b", (string?)request["headers"]!["x-dup"]);
        Assert.Equal(Body, (string?)request["body"]);
        Assert.Equal(Encoding.UTF8.GetByteCount(Body), (long)request["body_size"]!);
        Assert.Equal(wire.Events[0].Timestamp, (long)request["start_ns"]!);
        var response = exchange["response"]!;
        Assert.Equal(200, (int)response["status"]!);
        Assert.Equal("OK", (string?)response["reason"]);
        Assert.Equal(Answer, (string?)response["body"]);
        Assert.False((bool)response["streamed"]!);
        Assert.Equal(wire.Events[1].Timestamp, (long)response["first_byte_ns"]!);
        Assert.Equal(1.0, (double)exchange["duration_ms"]!);
        // Every raw event was HTTP, so none is left.
        Assert.Empty(run.Raw);
        Assert.Equal(2, run.Counter("raw_consumed"));
    }

    [Fact]
    public void Reads_split_at_every_byte_give_the_same_exchange()
    {
        var request = Wire.Request(Body);
        var response = Wire.ChunkedResponse(["data: {\"a\":1}\n\n", "data: [DONE]\n\n"], "application/json");
        var whole = HttpRun.Of(new Wire().Write(request).Read(response).Events).Exchanges.Single();

        var wire = new Wire();
        foreach (var c in request)
        {
            wire.Write(c.ToString());
        }
        foreach (var c in response)
        {
            wire.Read(c.ToString());
        }
        var split = HttpRun.Of(wire.Events).Exchanges.Single();

        Assert.Equal(Content(whole), Content(split));
        Assert.Equal("data: {\"a\":1}\n\ndata: [DONE]\n\n", (string?)split["response"]!["body"]);
    }

    [Fact]
    public void Keep_alive_exchanges_on_one_connection_are_numbered_in_order()
    {
        var wire = new Wire();
        for (var i = 1; i <= 3; i++)
        {
            wire.Write(Wire.Request($"{{\"n\":{i}}}", path: $"/v1/chat/completions?n={i}")).Read(Wire.Response($"{{\"r\":{i}}}"));
        }

        var exchanges = HttpRun.Of(wire.Events).Exchanges;

        Assert.Equal(["4242:0x1000:1", "4242:0x1000:2", "4242:0x1000:3"], exchanges.Select(e => (string?)e["exchange_id"]));
        Assert.Equal(["{\"r\":1}", "{\"r\":2}", "{\"r\":3}"], exchanges.Select(e => (string?)e["response"]!["body"]));
        Assert.Equal(["/v1/chat/completions?n=1", "/v1/chat/completions?n=2", "/v1/chat/completions?n=3"],
            exchanges.Select(e => (string?)e["request"]!["path"]));
    }

    [Fact]
    public void Pipelined_requests_are_paired_with_responses_first_in_first_out()
    {
        var wire = new Wire()
            .Write(Wire.Request("{\"n\":1}", path: "/a") + Wire.Request("{\"n\":2}", path: "/b"))
            .Read(Wire.Response("first") + Wire.Response("second"));

        var exchanges = HttpRun.Of(wire.Events).Exchanges;

        Assert.Equal([("/a", "first"), ("/b", "second")], exchanges.Select(e => ((string?)e["request"]!["path"], (string?)e["response"]!["body"])));
    }

    [Fact]
    public void Continue_is_skipped_and_the_final_response_is_paired()
    {
        var wire = new Wire()
            .Write(Wire.Request(Body, extraHeaders: "Expect: 100-continue\r\n"))
            .Read("HTTP/1.1 100 Continue\r\n\r\n")
            .Read(Wire.Response(Answer));

        var run = HttpRun.Of(wire.Events);

        var exchange = Assert.Single(run.Exchanges);
        Assert.Equal(200, (int)exchange["response"]!["status"]!);
        Assert.Equal(Answer, (string?)exchange["response"]!["body"]);
        Assert.Equal(1, run.Counter("interim_responses"));
    }

    [Theory]
    [InlineData("HEAD", 200)]
    [InlineData("GET", 204)]
    [InlineData("GET", 304)]
    public void Responses_that_have_no_body_end_at_their_head(string method, int status)
    {
        // The Content-Length describes the resource, not this response: the next response follows at once.
        var wire = new Wire()
            .Write($"{method} /x HTTP/1.1\r\nHost: h\r\n\r\n")
            .Read($"HTTP/1.1 {status} X\r\nContent-Length: 1234\r\n\r\n")
            .Write("GET /y HTTP/1.1\r\nHost: h\r\n\r\n")
            .Read(Wire.Response("next"));

        var exchanges = HttpRun.Of(wire.Events).Exchanges;

        Assert.Equal(2, exchanges.Count);
        Assert.All(exchanges, e => Assert.True((bool)e["complete"]!));
        Assert.Null(exchanges[0]["response"]!["body"]);
        Assert.Equal("next", (string?)exchanges[1]["response"]!["body"]);
    }

    [Fact]
    public void A_response_without_length_runs_until_the_connection_closes()
    {
        var wire = new Wire()
            .Write("GET /stream HTTP/1.0\r\nHost: h\r\n\r\n")
            .Read("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, ")
            .Read("part two")
            .Handshake();

        var run = HttpRun.Of(wire.Events, flush: false);

        var exchange = Assert.Single(run.Exchanges);
        Assert.Equal("part one, part two", (string?)exchange["response"]!["body"]);
        Assert.Equal("connection_closed", (string?)exchange["end_reason"]);
        Assert.True((bool)exchange["complete"]!);
    }

    [Fact]
    public void A_response_without_length_cut_by_shutdown_is_incomplete()
    {
        var wire = new Wire().Write("GET / HTTP/1.1\r\nHost: h\r\n\r\n").Read("HTTP/1.1 200 OK\r\n\r\nsome");

        var exchange = Assert.Single(HttpRun.Of(wire.Events).Exchanges);

        Assert.False((bool)exchange["complete"]!);
        Assert.Equal("shutdown", (string?)exchange["end_reason"]);
        Assert.Equal("some", (string?)exchange["response"]!["body"]);
    }

    [Fact]
    public void An_upgrade_ends_http_parsing_and_later_bytes_stay_raw()
    {
        // A protocol other than WebSocket (which the WebSocket reader takes) and HTTP/2.
        var frame = new byte[] { 0x81, 0x05, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' };
        var wire = new Wire()
            .Write("GET /v1/responses HTTP/1.1\r\nHost: api.openai.com\r\nUpgrade: custom/1\r\nConnection: Upgrade\r\n\r\n")
            .Read("HTTP/1.1 101 Switching Protocols\r\nUpgrade: custom/1\r\n\r\n")
            .Add(TlsDirection.Read, frame)
            .Write("POST /not-parsed HTTP/1.1\r\nHost: h\r\n\r\n");

        var run = HttpRun.Of(wire.Events);

        var exchange = Assert.Single(run.Exchanges);
        Assert.Equal("upgrade", (string?)exchange["end_reason"]);
        Assert.Equal(101, (int)exchange["response"]!["status"]!);
        Assert.Equal([wire.Events[2], wire.Events[3]], run.Raw);
        Assert.Same(wire.Events[2].Data, run.Raw[0].Data);
    }

    [Fact]
    public void A_server_process_reads_requests_and_writes_responses()
    {
        var wire = new Wire().Read(Wire.Request(Body)).Write(Wire.Response(Answer));

        var exchange = Assert.Single(HttpRun.Of(wire.Events).Exchanges);

        Assert.Equal("server", (string?)exchange["role"]);
        Assert.Equal(Body, (string?)exchange["request"]!["body"]);
        Assert.Equal(Answer, (string?)exchange["response"]!["body"]);
    }

    [Fact]
    public void A_configured_role_refuses_requests_from_the_wrong_side()
    {
        var wire = new Wire().Read(Wire.Request(Body)).Write(Wire.Response(Answer));

        var run = HttpRun.Of(wire.Events, new HttpAnalyzerConfig { Role = HttpRole.Client });

        Assert.Empty(run.Exchanges);
        Assert.Equal(2, run.Raw.Count);
    }

    [Fact]
    public void Connections_of_one_process_are_kept_apart_even_when_their_reads_interleave()
    {
        var wire = new Wire()
            .Write(Wire.Request("{\"a\":1}"), connection: 0xA)
            .Write(Wire.Request("{\"b\":2}"), connection: 0xB);
        var first = Wire.Response("answer A");
        var second = Wire.Response("answer B");
        for (var i = 0; i < Math.Max(first.Length, second.Length); i += 7)
        {
            if (i < first.Length)
            {
                wire.Read(first.Substring(i, Math.Min(7, first.Length - i)), connection: 0xA);
            }
            if (i < second.Length)
            {
                wire.Read(second.Substring(i, Math.Min(7, second.Length - i)), connection: 0xB);
            }
        }

        var exchanges = HttpRun.Of(wire.Events).Exchanges;

        Assert.Equal(2, exchanges.Count);
        Assert.Contains(exchanges, e => (string?)e["conn_id"] == "0xa" && (string?)e["response"]!["body"] == "answer A");
        Assert.Contains(exchanges, e => (string?)e["conn_id"] == "0xb" && (string?)e["response"]!["body"] == "answer B");
    }

    [Fact]
    public void Without_connection_ids_the_thread_tells_connections_apart()
    {
        var wire = new Wire()
            .Write(Wire.Request("{}"), connection: 0, tidOverride: 11)
            .Write(Wire.Request("{}"), connection: 0, tidOverride: 12)
            .Read(Wire.Response("for 12"), connection: 0, tidOverride: 12)
            .Read(Wire.Response("for 11"), connection: 0, tidOverride: 11);

        var exchanges = HttpRun.Of(wire.Events).Exchanges;

        Assert.Equal([("tid:12", "for 12"), ("tid:11", "for 11")], exchanges.Select(e => ((string?)e["conn_id"], (string?)e["response"]!["body"])));
        Assert.Equal("4242:tid:12:1", (string?)exchanges[0]["exchange_id"]);
    }

    [Fact]
    public void Exit_of_the_process_ends_its_connections()
    {
        var wire = new Wire().Write(Wire.Request("{}")).Read("HTTP/1.1 200 OK\r\n\r\nuntil close");
        var exit = new AgentEvent(wire.Now + 5, EventSources.Process, 4242, 4242, "agent", new JsonPayload(new JsonObject { ["event"] = "EXIT" }));

        var run = HttpRun.Of([.. wire.Events, exit], flush: false);

        var exchange = Assert.Single(run.Exchanges);
        Assert.Equal("process_exit", (string?)exchange["end_reason"]);
        Assert.True((bool)exchange["complete"]!);
        Assert.Same(exit, run.Output.Events[^1]);
    }

    [Fact]
    public void Keep_raw_passes_every_read_and_write_on_as_well()
    {
        var wire = new Wire().Write(Wire.Request(Body)).Read(Wire.Response(Answer));

        var run = HttpRun.Of(wire.Events, new HttpAnalyzerConfig { KeepRaw = true });

        Assert.Equal(wire.Events, run.Raw);
        Assert.Single(run.Exchanges);
    }

    [Fact]
    public void A_response_with_no_request_seen_is_still_an_exchange()
    {
        var wire = new Wire().Read(Wire.Response(Answer));

        var run = HttpRun.Of(wire.Events);

        var exchange = Assert.Single(run.Exchanges);
        Assert.Null(exchange["request"]);
        Assert.False((bool)exchange["complete"]!);
        Assert.Equal(1, run.Counter("orphan_responses"));
    }

    private static string Content(JsonObject exchange)
    {
        var copy = (JsonObject)exchange.DeepClone();
        foreach (var key in new[] { "duration_ms", "ttfb_ms" })
        {
            copy.Remove(key);
        }
        foreach (var message in new[] { "request", "response" })
        {
            var m = (JsonObject)copy[message]!;
            foreach (var key in new[] { "start_ns", "end_ns", "first_byte_ns" })
            {
                m.Remove(key);
            }
        }
        return copy.ToJsonString();
    }
}
