using System.Text;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Tests.Analyzers.Support;

namespace AgentSight.Tests.Analyzers.Http;

/// <summary>What is not HTTP stays untouched; caps, timeouts and shutdown lose nothing silently.</summary>
public sealed class HttpRobustnessTests
{
    [Fact]
    public void A_body_that_mentions_localhost_and_http_is_not_taken_for_a_message()
    {
        // The original tool read any data containing "host:" as a request; only a start line at a message boundary counts here.
        const string body = "{\"url\":\"http://localhost:8080/x\",\"note\":\"GET / HTTP/1.1\\r\\nHost: evil\\r\\n\",\"h\":\"HTTP/1.1 200 OK\"}";
        var wire = new Wire().Write(Wire.Request(body)).Read(Wire.Response(body));

        var run = HttpRun.Of(wire.Events);

        var exchange = Assert.Single(run.Exchanges);
        Assert.Equal(body, (string?)exchange["request"]!["body"]);
        Assert.Equal(body, (string?)exchange["response"]!["body"]);
        Assert.Empty(run.Raw);
    }

    [Fact]
    public void Http2_when_turned_off_and_other_protocols_pass_as_raw_events_untouched()
    {
        // HTTP/2 is parsed by default (tests/AgentSight.Tests/Plugins/Http/Http2); with http2: false it stays raw, as before.
        var preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        var frame = new byte[] { 0, 0, 18, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100 };
        var wire = new Wire().Add(TlsDirection.Write, preface).Add(TlsDirection.Write, frame).Add(TlsDirection.Read, frame)
            .Read("SSH-2.0-OpenSSH_9.6\r\n", connection: 0x2000);

        var run = HttpRun.Of(wire.Events, new HttpAnalyzerConfig { Http2 = false });

        Assert.Empty(run.Exchanges);
        Assert.Equal(wire.Events, run.Raw);
        Assert.All(run.Raw.Zip(wire.Events), pair => Assert.Same(pair.Second.Data, pair.First.Data));
        Assert.Equal(wire.Events.Sum(e => ((TlsPayload)e.Data).Bytes.Length), run.Counter("non_http_bytes"));
    }

    [Fact]
    public void A_head_larger_than_the_cap_is_refused_and_its_events_go_on_raw()
    {
        var huge = new StringBuilder("POST /v1/messages HTTP/1.1\r\nHost: h\r\n");
        while (huge.Length < 5000)
        {
            huge.Append("X-Padding: ").Append(new string('p', 100)).Append("\r\n");
        }
        var wire = new Wire();
        var text = huge.ToString();
        for (var i = 0; i < text.Length; i += 512)
        {
            wire.Write(text.Substring(i, Math.Min(512, text.Length - i)));
        }

        var run = HttpRun.Of(wire.Events, new HttpAnalyzerConfig { MaxHeaderBytes = 1024 });

        Assert.Empty(run.Exchanges);
        Assert.Equal(wire.Events, run.Raw);
        Assert.Equal(1, run.Counter("headers_too_large"));
        Assert.True(run.Analyzer.BufferedBytes <= 2048, $"{run.Analyzer.BufferedBytes} bytes still held");
    }

    [Fact]
    public void An_unfinished_head_is_held_and_given_back_raw_at_shutdown()
    {
        var wire = new Wire().Write("POST /v1/messages HTTP/1.1\r\nHost: api.anthropic.com\r\nx-api-");

        var run = HttpRun.Of(wire.Events);

        Assert.Equal(wire.Events, run.Raw);
    }

    [Fact]
    public void An_exchange_idle_past_the_timeout_is_emitted_incomplete()
    {
        var wire = new Wire().Write(Wire.Request("{}")).Read(Wire.StreamHead()).Read(Wire.Chunk("data: 1\n\n"));
        var run = HttpRun.Of(wire.Events, new HttpAnalyzerConfig { IdleTimeoutMs = 5000 }, flush: false);
        Assert.Empty(run.Exchanges);

        run.Tick(wire.Now + 4_000_000_000);
        Assert.Empty(run.Exchanges);
        run.Tick(wire.Now + 6_000_000_000);

        var exchange = Assert.Single(run.Exchanges);
        Assert.Equal("idle_timeout", (string?)exchange["end_reason"]);
        Assert.False((bool)exchange["complete"]!);
        Assert.Equal(1, run.Counter("idle_timeouts"));
    }

    [Fact]
    public void A_connection_that_went_quiet_is_watched_again_when_its_next_exchange_stalls()
    {
        // Connection 1 completes an exchange and goes quiet; connection 2 stalls in the middle of a stream.
        var wire = new Wire()
            .Write(Wire.Request("{}"), connection: 1).Read(Wire.Response("{}"), connection: 1)
            .Write(Wire.Request("{}"), connection: 2).Read(Wire.StreamHead(), connection: 2).Read(Wire.Chunk("data: 1\n\n"), connection: 2);
        var run = HttpRun.Of(wire.Events, new HttpAnalyzerConfig { IdleTimeoutMs = 5000 }, flush: false);
        Assert.Single(run.Exchanges);

        // Both are idle now: only the stalled one has something to cut. The quiet one is not looked at again...
        run.Tick(wire.Now + 6_000_000_000);
        Assert.Equal(["response_end", "idle_timeout"], run.Exchanges.Select(e => (string?)e["end_reason"]));
        run.Tick(wire.Now + 7_000_000_000);
        Assert.Equal(2, run.Exchanges.Count);

        // ...until its next exchange, which stalls too, and is cut once idle past the timeout, not before.
        var sent = wire.Events.Count;
        wire.Wait(TimeSpan.FromSeconds(10)).Write(Wire.Request("{}"), connection: 1).Read(Wire.StreamHead(), connection: 1);
        foreach (var evt in wire.Events.Skip(sent))
        {
            run.Push(evt);
        }
        run.Tick(wire.Now + 4_000_000_000);
        Assert.Equal(2, run.Exchanges.Count);
        run.Tick(wire.Now + 6_000_000_000);

        Assert.Equal(["response_end", "idle_timeout", "idle_timeout"], run.Exchanges.Select(e => (string?)e["end_reason"]));
        Assert.Equal("0x1", (string?)run.Exchanges[2]["conn_id"]);
        Assert.Equal(2, run.Counter("idle_timeouts"));
    }

    [Fact]
    public void Connections_beyond_the_cap_evict_the_least_recently_active()
    {
        var wire = new Wire();
        for (ulong c = 1; c <= 5; c++)
        {
            wire.Write(Wire.Request("{}"), connection: c);
        }

        var run = HttpRun.Of(wire.Events, new HttpAnalyzerConfig { MaxConnections = 3 }, flush: false);

        Assert.Equal(2, run.Counter("connections_evicted"));
        Assert.Equal(["0x1", "0x2"], run.Exchanges.Select(e => (string?)e["conn_id"]));
        Assert.All(run.Exchanges, e => Assert.Equal("evicted", (string?)e["end_reason"]));
        Assert.Equal(3, run.Analyzer.ConnectionCount);
    }

    [Fact]
    public void Buffered_bytes_beyond_the_memory_cap_evict_other_connections()
    {
        var wire = new Wire();
        var body = new string('b', 200_000);
        var request = Wire.Request(body);
        for (ulong c = 1; c <= 6; c++)
        {
            // Each connection holds most of a 200 kB body.
            wire.Write(request[..150_000], connection: c);
        }

        var run = HttpRun.Of(wire.Events, new HttpAnalyzerConfig { MaxBufferedBytes = 600_000 }, flush: false);

        Assert.True(run.Counter("connections_evicted") >= 2);
        Assert.True(run.Analyzer.BufferedBytes <= 600_000 + 300_000, $"{run.Analyzer.BufferedBytes} bytes held");
    }

    [Fact]
    public void Shutdown_emits_every_unfinished_exchange()
    {
        var wire = new Wire().Write(Wire.Request("{}"), connection: 1).Write(Wire.Request("{}"), connection: 2).Read(Wire.StreamHead(), connection: 2);

        var run = HttpRun.Of(wire.Events);

        Assert.Equal(2, run.Exchanges.Count);
        Assert.All(run.Exchanges, e =>
        {
            Assert.False((bool)e["complete"]!);
            Assert.Equal("shutdown", (string?)e["end_reason"]);
        });
    }

    [Theory]
    [InlineData("{\"max_header_bytes\":10}", "max_header_bytes")]
    [InlineData("{\"max_connections\":0}", "max_connections")]
    [InlineData("{\"idle_timeout_ms\":0}", "idle_timeout_ms")]
    [InlineData("{\"max_body_bytes\":-1}", "max_body_bytes")]
    [InlineData("{\"streamed_content_types\":[\"nonsense\"]}", "streamed_content_types")]
    public void Invalid_settings_are_reported_by_key(string json, string key)
    {
        var problems = new List<string>();

        var config = AgentSight.Host.Manifest.ConfigBinder.Bind(new HttpAnalyzerFactory(), System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject(), problems.Add);

        Assert.Null(config);
        Assert.StartsWith($"config.{key}: ", Assert.Single(problems), StringComparison.Ordinal);
        Assert.Empty(new HttpAnalyzerConfig().Validate());
    }
}
