using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Plugins.Http.Http2;
using AgentSight.Plugins.Redact;
using AgentSight.Tests.Analyzers.Http2.Wire;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Http2;

/// <summary>
/// The http analyzer on HTTP/2: streams become the same exchanges as HTTP/1 gives, through every frame type, the
/// preface cut anywhere, h2c, resets, GOAWAY, pushes, trailers, content codings, the caps, and connections seen
/// from their middle.
/// </summary>
public sealed class Http2AnalyzerTests
{
    private const string Sse = "event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: content_block_delta\ndata: {\"delta\":\"ünï ✓\"}\n\n";

    [Fact]
    public void A_stream_becomes_an_exchange_with_every_field_and_nothing_is_left_raw()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, headers: [("content-type", "application/json"), ("x-api-key", "sk-ant-FAKE"), ("cookie", "a=1"), ("cookie", "b=2")]),
            H2Wire.Data(1, "{\"model\":\"m\"}", endStream: true));
        h2.Read(h2.Response(1, headers: [("content-type", "application/json"), ("request-id", "req_1"), ("vary", "a"), ("vary", "b")]),
            H2Wire.Data(1, "{\"ok\":", endStream: false), H2Wire.Data(1, "true}", endStream: true));

        var run = HttpRun.Of(h2.Events);

        var exchange = Assert.Single(run.Exchanges);
        Assert.Equal("4242:0x2000:1", (string?)exchange["exchange_id"]);
        Assert.Equal(1, (int)exchange["stream_id"]!);
        Assert.True((bool)exchange["complete"]!);
        Assert.Equal("response_end", (string?)exchange["end_reason"]);
        var request = exchange["request"]!;
        Assert.Equal(("POST", "/v1/messages", "HTTP/2", "api.anthropic.com"),
            ((string?)request["method"], (string?)request["path"], (string?)request["version"], (string?)request["host"]));
        Assert.Equal("""{"content-type":"application/json","x-api-key":"sk-ant-FAKE","cookie":"a=1; b=2"}""", request["headers"]!.ToJsonString());
        Assert.Equal("{\"model\":\"m\"}", (string?)request["body"]);
        Assert.Equal(0, (int)request["headers_missed"]!);
        var response = exchange["response"]!;
        Assert.Equal(200, (int)response["status"]!);
        Assert.Null(response["reason"]);
        Assert.Equal("""{"content-type":"application/json","request-id":"req_1","vary":"a, b"}""", response["headers"]!.ToJsonString());
        Assert.Equal("{\"ok\":true}", (string?)response["body"]);
        Assert.Equal(h2.Events[2].Timestamp, (long)request["start_ns"]!);
        Assert.Equal(h2.Events[3].Timestamp, (long)response["first_byte_ns"]!);
        Assert.Empty(run.Raw);
        Assert.Equal(h2.Events.Count, run.Counter("raw_consumed"));
        Assert.Equal(1, run.Counter("http2_connections"));
        Assert.Equal(1, run.Counter("http2_streams"));
    }

    [Fact]
    public void The_preface_cut_at_any_point_across_writes_is_still_the_preface()
    {
        var whole = new H2Wire().Start();
        whole.Write(whole.Request(1, method: "GET", path: "/v1/models", endStream: true));
        whole.Read(whole.Response(1, endStream: false, headers: [("content-type", "text/plain")]), H2Wire.Data(1, "ok", endStream: true));
        var (writes, reads) = H2Run.Bytes(whole.Events);
        for (var cut = 1; cut < 40; cut++)
        {
            var wire = new Support.Wire();
            wire.Add(TlsDirection.Write, writes[..cut], 0x2000);
            wire.Add(TlsDirection.Write, writes[cut..], 0x2000);
            wire.Add(TlsDirection.Read, reads, 0x2000);

            var run = HttpRun.Of(wire.Events);

            var exchange = Assert.Single(run.Exchanges);
            Assert.Equal("/v1/models", (string?)exchange["request"]!["path"]);
            Assert.Equal("ok", (string?)exchange["response"]!["body"]);
            Assert.Empty(run.Raw);
        }
    }

    [Fact]
    public void HTTP1_requests_cut_after_their_first_letters_are_still_HTTP1()
    {
        foreach (var cut in new[] { 1, 2, 3, 4 })
        {
            var request = Support.Wire.Request("{}", method: cut == 3 ? "PROPFIND" : "POST");
            var wire = new Support.Wire().Write(request[..cut]).Write(request[cut..]).Read(Support.Wire.Response("{}"));

            var run = HttpRun.Of(wire.Events);

            var exchange = Assert.Single(run.Exchanges);
            Assert.Equal("HTTP/1.1", (string?)exchange["request"]!["version"]);
            Assert.True((bool)exchange["complete"]!);
            Assert.Equal(0, run.Counter("http2_connections"));
        }
    }

    [Fact]
    public void A_streamed_response_goes_out_in_pieces_before_its_exchange_even_interleaved_with_another_stream()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, endStream: true), h2.Request(3, path: "/v1/other", endStream: true));
        var bytes = Encoding.UTF8.GetBytes(Sse);
        h2.Read(h2.Response(1, headers: [("content-type", "text/event-stream")]), h2.Response(3, headers: [("content-type", "text/event-stream")]));
        for (var i = 0; i < bytes.Length; i += 7)
        {
            var piece = bytes[i..Math.Min(bytes.Length, i + 7)];
            var last = i + 7 >= bytes.Length;
            h2.Read(H2Frames.Data(1, piece, last), H2Frames.Data(3, piece, last));
        }

        var run = HttpRun.Of(h2.Events);

        Assert.Equal(2, run.Exchanges.Count);
        foreach (var exchange in run.Exchanges)
        {
            var id = (string)exchange["exchange_id"]!;
            Assert.Equal(bytes, run.StreamedBody(id));
            Assert.True((bool)exchange["response"]!["streamed"]!);
            var pieces = run.Pieces.Where(p => (string?)p["exchange_id"] == id).ToList();
            Assert.All(pieces, p => Assert.False(((string)p["data"]!).StartsWith("HEX:", StringComparison.Ordinal)));
            Assert.Equal(pieces.Select(p => (long)p["offset"]!), pieces.Select(p => (long)p["offset"]!).Order());
            var emitted = run.Output.Events.FindIndex(e => e.Source == "http" && e.Fields!["exchange_id"]!.ToString() == id);
            Assert.True(run.Output.Events.FindLastIndex(e => e.Data is HttpBodyPayload piece && piece.ExchangeId == id) < emitted);
            Assert.Equal("/v1/" + ((int)exchange["stream_id"]! == 1 ? "messages" : "other"), (string?)pieces[0]["path"]);
        }
    }

    [Fact]
    public void An_Anthropic_stream_over_HTTP2_is_one_llm_call_through_the_chain()
    {
        var h2 = new H2Wire().Start();
        var body = """{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";
        h2.Write(h2.Request(1, headers: [("content-type", "application/json"), ("x-api-key", "sk-ant-api03-FAKEFAKEFAKEFAKEFAKE")]), H2Wire.Data(1, body, endStream: true));
        h2.Read(h2.Response(1, headers: [("content-type", "text/event-stream; charset=utf-8"), ("request-id", "req_42")]));
        foreach (var sse in AnthropicStream("Hello over h2"))
        {
            h2.Read(H2Wire.Data(1, sse));
        }
        h2.Read(H2Frames.Data(1, [], endStream: true));

        var chain = AnalyzerChain.Default().Run(h2.Events);

        var llm = chain.Llm();
        Assert.Equal("claude-sonnet-4-5", (string?)llm["gen_ai.request.model"]);
        Assert.Equal("anthropic", (string?)llm["gen_ai.provider.name"]);
        Assert.Equal(25, (long)llm["gen_ai.usage.output_tokens"]!);
        Assert.Equal("Hello over h2", ExpectedCall.OutputText(llm));
        Assert.Equal("req_42", (string?)llm["request_id"]);
        Assert.True((bool)llm["complete"]!);
        Assert.Equal("end_marker", (string?)chain.Sse()["end_reason"]);
    }

    [Fact]
    public void Redaction_sees_the_decoded_headers()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, headers: [("authorization", "Bearer sk-proj-FAKEFAKEFAKEFAKEFAKEFAKE"), ("x-api-key", "sk-ant-api03-FAKEFAKEFAKEFAKEFAKE")]),
            H2Wire.Data(1, "{}", endStream: true));
        h2.Read(h2.Response(1, headers: [("content-type", "application/json")]), H2Wire.Data(1, "{}", endStream: true));

        var chain = AnalyzerChain.Default().Add("redact", ctx => new RedactFactory().Create(new RedactConfig(), ctx)).Run(h2.Events);

        var http = chain.OfSource("http").Single().Fields!;
        var text = http.ToJsonString();
        Assert.DoesNotContain("FAKEFAKE", text, StringComparison.Ordinal);
        Assert.StartsWith("[REDACTED", (string?)http["request"]!["headers"]!["x-api-key"], StringComparison.Ordinal);
        Assert.Empty(chain.OfSource("ssl"));
    }

    [Fact]
    public void Trailers_and_interim_responses_are_read_and_left_out()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, headers: [("expect", "100-continue")]), H2Wire.Data(1, "{}", endStream: true));
        h2.Read(h2.Response(1, status: 100), h2.Response(1, headers: [("content-type", "application/grpc")]), H2Wire.Data(1, "payload"),
            H2Frames.Headers(1, h2.Server.Encode([("grpc-status", "0")]), endStream: true));
        h2.Write(h2.Request(3, method: "GET", endStream: true));
        h2.Read(h2.Response(3, endStream: true, headers: [("grpc-status", "1")]));

        var run = HttpRun.Of(h2.Events);

        Assert.Equal(2, run.Exchanges.Count);
        var first = run.Exchanges[0];
        Assert.Equal(200, (int)first["response"]!["status"]!);
        Assert.Equal("payload", (string?)first["response"]!["body"]);
        Assert.Null(first["response"]!["headers"]!["grpc-status"]);
        Assert.Equal("1", (string?)run.Exchanges[1]["response"]!["headers"]!["grpc-status"]);
        Assert.Equal(1, run.Counter("interim_responses"));
        Assert.Equal(1, run.Counter("trailers"));
    }

    [Fact]
    public void A_reset_stream_is_cut_and_its_neighbour_goes_on()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, endStream: true), h2.Request(3, endStream: true));
        h2.Read(h2.Response(1, headers: [("content-type", "text/event-stream")]), H2Wire.Data(1, "data: 1\n\n"), h2.Response(3), H2Wire.Data(3, "x"));
        h2.Write(H2Frames.RstStream(1, 0x8));
        h2.Read(H2Wire.Data(1, "data: late\n\n"), H2Wire.Data(3, "y", endStream: true));

        var run = HttpRun.Of(h2.Events);

        Assert.Equal(2, run.Exchanges.Count);
        var reset = run.Exchanges[0];
        Assert.Equal(1, (int)reset["stream_id"]!);
        Assert.False((bool)reset["complete"]!);
        Assert.Equal("stream_reset", (string?)reset["end_reason"]);
        Assert.Equal("data: 1\n\n"u8.ToArray(), run.StreamedBody((string)reset["exchange_id"]!));
        Assert.Equal("xy", (string?)run.Exchanges[1]["response"]!["body"]);
        Assert.Equal(1, run.Counter("streams_reset"));
    }

    [Fact]
    public void GOAWAY_cuts_the_streams_the_server_never_took()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, endStream: true), h2.Request(3, endStream: true), h2.Request(5, endStream: true));
        h2.Read(H2Frames.GoAway(3), h2.Response(1), H2Wire.Data(1, "a", endStream: true), h2.Response(3), H2Wire.Data(3, "b", endStream: true));

        var run = HttpRun.Of(h2.Events);

        Assert.Equal([(5, "goaway", false), (1, "response_end", true), (3, "response_end", true)],
            run.Exchanges.Select(e => ((int)e["stream_id"]!, (string)e["end_reason"]!, (bool)e["complete"]!)));
    }

    [Fact]
    public void A_pushed_response_is_an_exchange_with_the_promised_request()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, method: "GET", path: "/", endStream: true));
        var promise = h2.Server.Encode([(":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":path", "/style.css")]);
        h2.Read(H2Frames.PushPromise(1, 2, promise), h2.Response(1), H2Wire.Data(1, "<html>", endStream: true),
            h2.Response(2, headers: [("content-type", "text/css")]), H2Wire.Data(2, "b{}", endStream: true));

        var run = HttpRun.Of(h2.Events);

        var pushed = run.Exchanges.Single(e => (int)e["stream_id"]! == 2);
        Assert.Equal("/style.css", (string?)pushed["request"]!["path"]);
        Assert.Equal("example.com", (string?)pushed["request"]!["host"]);
        Assert.Equal("b{}", (string?)pushed["response"]!["body"]);
        Assert.True((bool)pushed["complete"]!);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("deflate")]
    public void Compressed_bodies_are_decoded(string coding)
    {
        var text = string.Concat(Enumerable.Repeat("{\"text\":\"ünïcödé ✓\"}", 200));
        var plain = Encoding.UTF8.GetBytes(text);
        var compressed = coding switch { "gzip" => Support.Wire.Gzip(plain), "br" => Support.Wire.Brotli(plain), _ => Support.Wire.Zlib(plain) };
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, method: "GET", endStream: true));
        h2.Read(h2.Response(1, headers: [("content-type", "application/json"), ("content-encoding", coding)]));
        for (var i = 0; i < compressed.Length; i += 100)
        {
            h2.Read(H2Frames.Data(1, compressed.AsSpan(i, Math.Min(100, compressed.Length - i)), i + 100 >= compressed.Length));
        }

        var run = HttpRun.Of(h2.Events);

        var response = Assert.Single(run.Exchanges)["response"]!;
        Assert.Equal(text, (string?)response["body"]);
        Assert.Equal(coding, (string?)response["content_encoding"]);
    }

    [Fact]
    public void A_body_past_the_cap_is_cut_and_the_streams_past_their_cap_are_evicted()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, method: "GET", endStream: true));
        h2.Read(h2.Response(1, headers: [("content-type", "application/json")]), H2Wire.Data(1, new string('a', 300), endStream: true));
        for (var stream = 3; stream <= 11; stream += 2)
        {
            h2.Write(h2.Request(stream, method: "GET", endStream: true));
        }

        var run = HttpRun.Of(h2.Events, new HttpAnalyzerConfig { MaxBodyBytes = 100, MaxStreams = 3 });

        var first = run.Exchanges[0]["response"]!;
        Assert.Equal(new string('a', 100), (string?)first["body"]);
        Assert.True((bool)first["body_truncated"]!);
        Assert.Equal(300, (long)first["body_size"]!);
        Assert.Equal(2, run.Counter("streams_evicted"));
        Assert.Equal(["evicted", "evicted", "shutdown", "shutdown", "shutdown"], run.Exchanges.Skip(1).Select(e => (string)e["end_reason"]!));
    }

    [Fact]
    public void A_header_block_past_the_cap_is_not_kept_and_the_table_after_it_is_unknown()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, endStream: true, headers: [("x-big", new string('b', 2000))]));
        h2.Read(h2.Response(1, endStream: true));
        h2.Write(h2.Request(3, endStream: true, headers: [("x-big", new string('b', 2000))]));
        h2.Read(h2.Response(3, endStream: true));

        var run = HttpRun.Of(h2.Events, new HttpAnalyzerConfig { MaxHeaderBytes = 1024 });

        Assert.Equal(2, run.Exchanges.Count);
        var first = run.Exchanges[0]["request"]!;
        Assert.Null(first["method"]);
        Assert.Null(first["headers_missed"]);
        Assert.Equal(200, (int)run.Exchanges[0]["response"]!["status"]!);
        // The second block refers to the table entries the first made: those fields are counted, not guessed.
        var second = run.Exchanges[1]["request"]!;
        Assert.True((int)second["headers_missed"]! > 0);
        Assert.DoesNotContain("x-big", second["headers"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(1, run.Counter("headers_too_large"));
    }

    [Fact]
    public void An_idle_timeout_cuts_the_streams_and_keeps_the_tables()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, endStream: true, headers: [("x-session", "k1")]));
        h2.Tls.Wait(TimeSpan.FromMinutes(11));
        h2.Write(h2.Request(3, endStream: true, headers: [("x-session", "k1")]));
        h2.Read(h2.Response(3, endStream: true));
        var run = HttpRun.Of(h2.Events.Take(3), flush: false);
        run.Tick(h2.Events[2].Timestamp + TimeSpan.FromMinutes(10.5).Ticks * 100);
        foreach (var evt in h2.Events.Skip(3))
        {
            run.Push(evt);
        }

        Assert.Equal(["idle_timeout", "response_end"], run.Exchanges.Select(e => (string)e["end_reason"]!));
        Assert.Equal("k1", (string?)run.Exchanges[1]["request"]!["headers"]!["x-session"]);
        Assert.Equal(0, (int)run.Exchanges[1]["request"]!["headers_missed"]!);
    }

    [Fact]
    public void A_new_handshake_on_the_connection_id_starts_over_and_HTTP1_works_again()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, endStream: true));
        h2.Tls.Handshake(0x2000);
        h2.Tls.Write(Support.Wire.Request("{}"), 0x2000).Read(Support.Wire.Response("{}"), 0x2000);

        var run = HttpRun.Of(h2.Events);

        Assert.Equal([("connection_closed", "HTTP/2"), ("response_end", "HTTP/1.1")],
            run.Exchanges.Select(e => ((string)e["end_reason"]!, (string)e["request"]!["version"]!)));
    }

    [Fact]
    public void A_server_reads_the_preface_and_its_requests()
    {
        var h2 = new H2Wire();
        h2.Read(H2Frames.Preface, H2Frames.Settings());
        h2.Write(H2Frames.Settings());
        h2.Read(h2.Request(1, method: "GET", path: "/health", authority: "svc", endStream: true));
        h2.Write(h2.Response(1, headers: [("content-type", "text/plain")]), H2Wire.Data(1, "up", endStream: true));

        var run = HttpRun.Of(h2.Events);

        var exchange = Assert.Single(run.Exchanges);
        Assert.Equal("server", (string?)exchange["role"]);
        Assert.Equal("/health", (string?)exchange["request"]!["path"]);
        Assert.Equal("up", (string?)exchange["response"]!["body"]);
    }

    [Fact]
    public void A_server_that_writes_its_settings_before_reading_the_preface_is_known_from_the_start()
    {
        var h2 = new H2Wire();
        h2.Write(H2Frames.Settings((3, 100)));
        h2.Read(H2Frames.Preface, H2Frames.Settings(), h2.Request(1, method: "GET", path: "/a", endStream: true));
        h2.Write(h2.Response(1, endStream: true));

        var run = HttpRun.Of(h2.Events);

        var exchange = Assert.Single(run.Exchanges);
        Assert.Equal("server", (string?)exchange["role"]);
        Assert.Equal(0, (int)exchange["request"]!["headers_missed"]!);
        Assert.Equal(0, run.Counter("http2_joined"));
    }

    [Fact]
    public void An_Upgrade_h2c_request_answered_101_goes_on_as_stream_1()
    {
        var h2 = new H2Wire();
        h2.Tls.Write("GET /v1/models HTTP/1.1\r\nHost: localhost:8080\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n", 0x2000);
        h2.Read([.. Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"), .. H2Frames.Settings((3, 100)),
            .. h2.Response(1, headers: [("content-type", "application/json")]), .. H2Wire.Data(1, "{\"data\":[]}", endStream: true)]);
        h2.Write(H2Frames.Preface, H2Frames.Settings(), H2Frames.SettingsAck());
        h2.Write(h2.Request(3, method: "GET", path: "/v1/other", authority: "localhost:8080", endStream: true));
        h2.Read(h2.Response(3, endStream: true));

        var run = HttpRun.Of(h2.Events);

        Assert.Equal(2, run.Exchanges.Count);
        var upgraded = run.Exchanges[0];
        Assert.Equal(1, (int)upgraded["stream_id"]!);
        Assert.True((bool)upgraded["complete"]!);
        Assert.Equal(("GET", "/v1/models", "HTTP/1.1", "localhost:8080"),
            ((string?)upgraded["request"]!["method"], (string?)upgraded["request"]!["path"], (string?)upgraded["request"]!["version"], (string?)upgraded["request"]!["host"]));
        Assert.Equal("HTTP/2", (string?)upgraded["response"]!["version"]);
        Assert.Equal("{\"data\":[]}", (string?)upgraded["response"]!["body"]);
        Assert.Equal("/v1/other", (string?)run.Exchanges[1]["request"]!["path"]);
        Assert.Empty(run.Raw);
        Assert.Equal(0, run.Counter("upgrades"));
    }

    [Fact]
    public void A_connection_seen_from_its_middle_gives_what_can_be_known_and_says_what_was_missed()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, headers: [("content-type", "application/json"), ("x-api-key", "sk-ant-FAKE")]), H2Wire.Data(1, "{\"n\":1}", endStream: true));
        h2.Read(h2.Response(1, headers: [("content-type", "text/event-stream"), ("request-id", "r1")]), H2Wire.Data(1, "data: one\n\n"));
        var joinAt = h2.Events.Count;
        h2.Read(H2Wire.Data(1, "data: two\n\n", endStream: true));
        h2.Write(h2.Request(3, headers: [("content-type", "application/json"), ("x-api-key", "sk-ant-FAKE"), ("x-new", "fresh")]), H2Wire.Data(3, "{\"n\":2}", endStream: true));
        h2.Read(h2.Response(3, headers: [("content-type", "text/event-stream"), ("request-id", "r2")]), H2Wire.Data(3, "data: three\n\n", endStream: true));

        var run = HttpRun.Of(h2.Events.Skip(joinAt));

        Assert.Equal(2, run.Exchanges.Count);
        var running = run.Exchanges[0];
        Assert.Equal(1, (int)running["stream_id"]!);
        Assert.Null(running["request"]);
        var response = running["response"]!;
        Assert.Null(response["status"]);
        Assert.Null(response["headers_missed"]);
        Assert.True((bool)response["body_truncated"]!);
        Assert.Equal("data: two\n\n", (string?)response["body"]);
        // Stream 3: POST and :scheme are in the static table, the key is a literal never indexed, x-new a new literal;
        // :authority, :path and content-type name entries made before the capture: counted, not guessed.
        var next = run.Exchanges[1];
        var request = next["request"]!;
        Assert.Equal("POST", (string?)request["method"]);
        Assert.Null(request["path"]);
        Assert.Null(request["host"]);
        Assert.Equal("""{"x-api-key":"sk-ant-FAKE","x-new":"fresh"}""", request["headers"]!.ToJsonString());
        Assert.Equal(3, (int)request["headers_missed"]!);
        Assert.Equal("{\"n\":2}", (string?)request["body"]);
        // The response's status is static; its content type is not known, so its body is kept whole, not streamed.
        var answer = next["response"]!;
        Assert.Equal(200, (int)answer["status"]!);
        Assert.Equal(2, (int)answer["headers_missed"]!);
        Assert.False((bool)answer["streamed"]!);
        Assert.Equal("data: three\n\n", (string?)answer["body"]);
        Assert.Equal(1, run.Counter("http2_joined"));
        Assert.Equal(1, run.Counter("heads_missed"));
        Assert.Equal(5, run.Counter("headers_missed"));
    }

    [Fact]
    public void Bytes_lost_inside_the_preface_are_counted_and_the_calls_after_it_are_read_whole()
    {
        var whole = new H2Wire().Start();
        whole.Write(whole.Request(1, method: "GET", path: "/v1/models", endStream: true));
        whole.Read(whole.Response(1, headers: [("content-type", "text/plain")]), H2Wire.Data(1, "ok", endStream: true));
        var (writes, reads) = H2Run.Bytes(whole.Events);
        // The capture keeps "PRI * HTTP/" of the first write and loses "2.0\r\n" (the preface is fixed text).
        var wire = new Support.Wire();
        wire.Add(TlsDirection.Write, writes[..11], 0x2000, bytesLost: 5);
        wire.Add(TlsDirection.Write, writes[16..], 0x2000);
        wire.Add(TlsDirection.Read, reads, 0x2000);

        var run = HttpRun.Of(wire.Events);

        var exchange = Assert.Single(run.Exchanges);
        Assert.True((bool)exchange["complete"]!);
        Assert.Equal("/v1/models", (string?)exchange["request"]!["path"]);
        Assert.Equal("ok", (string?)exchange["response"]!["body"]);
        Assert.Equal(1, run.Counter("capture_gaps"));
        Assert.Equal(0, run.Counter("http2_joined"));
    }

    [Fact]
    public void Trailers_after_a_head_lost_by_the_capture_are_never_shown_as_the_head()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, endStream: true));
        var head = h2.Response(1, headers: [("content-type", "application/json")]);
        // The read that carried the response's head and body was lost whole; the trailers come in the next one.
        h2.Tls.Add(TlsDirection.Read, [], 0x2000, bytesLost: head.Length + 20);
        h2.Read(H2Frames.Headers(1, h2.Server.Encode([("x-trailer", "done")]), endStream: true));

        var run = HttpRun.Of(h2.Events);

        var exchange = Assert.Single(run.Exchanges);
        var response = exchange["response"]!;
        Assert.Null(response["status"]);
        Assert.Null(response["headers_missed"]);
        Assert.Empty((JsonObject)response["headers"]!);
        Assert.False((bool)exchange["complete"]!);
        Assert.Equal("POST", (string?)exchange["request"]!["method"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_capture_begun_inside_the_SETTINGS_payload_makes_no_stream_out_of_it(bool readEndsAfterTheLookalike)
    {
        // Curl's and Go's SETTINGS (ENABLE_PUSH 0, INITIAL_WINDOW_SIZE) read from the middle of its header look like
        // a small DATA frame on stream 4, followed by the zeros of another header, or by nothing when the read ends
        // there: a stream a client never sends DATA on.
        var h2 = new H2Wire();
        var settings = H2Frames.Settings((2, 0), (4, 4194304));
        h2.Write(H2Frames.Preface, settings[..8]);
        var joinAt = h2.Events.Count;
        if (readEndsAfterTheLookalike)
        {
            h2.Write(settings[8..19]);
            h2.Write(settings[19..]);
        }
        else
        {
            h2.Write(settings[8..], [0, 0]);
        }
        h2.Read(H2Frames.Settings((3, 100)), H2Frames.SettingsAck());
        h2.Write(h2.Request(1, endStream: true));
        h2.Read(h2.Response(1, headers: [("content-type", "text/plain")]), H2Wire.Data(1, "ok", endStream: true));

        var run = HttpRun.Of(h2.Events.Skip(joinAt));

        Assert.All(run.Exchanges, e => Assert.Equal(1, (int)e["stream_id"]!));
    }

    [Fact]
    public void A_boundary_guessed_inside_a_frame_that_the_next_bytes_disprove_makes_no_exchange()
    {
        // A capture begun three bytes into a HEADERS frame with priority: its last header bytes, the priority fields
        // and the start of its block read as a whole 7-byte DATA frame on stream 3971. The next write cannot be a frame
        // (a length past 16 KiB): the guess was wrong, and what it made is dropped.
        // The bytes are those of a failing run of Http2PropertyTests (header 00 00 59 01 24 | 00 00 00 07, priority
        // 00 00 00 00 0F, then the block 83 06 84 ...).
        var h2 = new H2Wire().Start();
        var fake = new byte[] { 0, 0, 7, 0, 0, 0, 0, 0x0F, 0x83, 0x06, 0x84, 0x9D, 0x29, 0xAD, 0x1F, 0xC2 };
        var joinAt = h2.Events.Count;
        h2.Write(fake);
        h2.Write([0x04, 0x89, 0x63, 0xB8, 0x58, 0xA4, 0xA8, 0x40, 0xE6, 0x2A, 0x3F, 0xBF]);
        h2.Write(h2.Request(9, endStream: true));
        h2.Read(h2.Response(9, headers: [("content-type", "text/plain")]), H2Wire.Data(9, "ok", endStream: true));

        var run = HttpRun.Of(h2.Events.Skip(joinAt));

        Assert.DoesNotContain(run.Exchanges, e => (int)e["stream_id"]! == 3971);
        Assert.Contains(run.Exchanges, e => (int)e["stream_id"]! == 9 && (string?)e["response"]!["body"] == "ok");
        Assert.Equal(1, run.Counter("http2_guesses_dropped"));
    }

    [Fact]
    public void Text_and_other_protocols_are_never_taken_for_HTTP2_frames()
    {
        string[] samples =
        [
            "{\"jsonrpc\":\"2.0\"}", "SSH-2.0-OpenSSH_9.2\r\n", "220 smtp ready\r\n", "\u0016\u0003\u0001\u0002\u0000\u0001",
            "\u0081\u0085\u0037\u00fa\u0021\u003d\u007f\u009f\u004d\u0051\u0058", "\u0000\u0000\u0000\u0008\u0004\u00d2\u0016\u002f",
            "Q\u0000\u0000\u0000\u000dselect 1\u0000",
        ];
        foreach (var sample in samples)
        {
            Assert.False(Http2Detector.LooksLikeFrames(Encoding.Latin1.GetBytes(sample)), sample);
        }
        var wire = new Support.Wire().Write("\u0000\u0000\u0000\u0008\u0004\u00d2\u0016\u002f garbage");
        var run = HttpRun.Of(wire.Events);
        Assert.Single(run.Raw);
        Assert.Equal(0, run.Counter("http2_connections"));
    }

    [Fact]
    public void With_http2_off_its_bytes_stay_ssl_events()
    {
        var h2 = new H2Wire().Start();
        h2.Write(h2.Request(1, endStream: true));

        var run = HttpRun.Of(h2.Events, new HttpAnalyzerConfig { Http2 = false });

        Assert.Empty(run.Exchanges);
        Assert.Equal(h2.Events.Count, run.Raw.Count);
    }

    /// <summary>An Anthropic Messages stream whose text is <paramref name="text"/>, 25 output tokens.</summary>
    internal static IEnumerable<string> AnthropicStream(string text)
    {
        yield return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n";
        yield return "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
        foreach (var part in new[] { text[..(text.Length / 2)], text[(text.Length / 2)..] })
        {
            yield return "event: content_block_delta\ndata: " + new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = part } }.ToJsonString() + "\n\n";
        }
        yield return "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
        yield return "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":25}}\n\n";
        yield return "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    }
}
