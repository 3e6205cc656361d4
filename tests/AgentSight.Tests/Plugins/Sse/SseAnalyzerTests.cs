using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Sse;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Sse;

/// <summary>Streams per exchange, the order of what leaves, and the caps on memory.</summary>
public sealed class SseAnalyzerTests
{
    private static string Delta(string text) =>
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}\n\n";

    private static string Start(string id) =>
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"" + id + "\",\"model\":\"claude-x\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n";

    private const string Stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    private const string Request = """{"model":"claude-x","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public void Two_streams_of_one_process_read_by_one_thread_are_not_mixed()
    {
        var wire = new Wire()
            .Write(Wire.Request(Request), connection: 0xA)
            .Write(Wire.Request(Request), connection: 0xB)
            .Read(Wire.StreamHead(), connection: 0xA)
            .Read(Wire.StreamHead(), connection: 0xB)
            .Read(Wire.Chunk(Start("msg_A")), connection: 0xA)
            .Read(Wire.Chunk(Start("msg_B")), connection: 0xB);
        for (var i = 0; i < 20; i++)
        {
            wire.Read(Wire.Chunk(Delta($"a{i} ")), connection: 0xA).Read(Wire.Chunk(Delta($"b{i} ")), connection: 0xB);
        }
        wire.Read(Wire.Chunk(Stop) + Wire.LastChunk, connection: 0xB).Read(Wire.Chunk(Stop) + Wire.LastChunk, connection: 0xA);

        var chain = AnalyzerChain.Default().Run(wire.Events);

        var streams = chain.OfSource("sse").Select(e => e.Fields!).ToList();
        Assert.Equal(2, streams.Count);
        Assert.Equal(string.Concat(Enumerable.Range(0, 20).Select(i => $"a{i} ")), (string?)streams.Single(s => (string?)s["conn_id"] == "0xa")["text"]);
        Assert.Equal(string.Concat(Enumerable.Range(0, 20).Select(i => $"b{i} ")), (string?)streams.Single(s => (string?)s["conn_id"] == "0xb")["text"]);
        Assert.Equal(["msg_B", "msg_A"], chain.OfSource("llm").Select(e => (string?)e.Fields!["gen_ai.response.id"]));
    }

    [Fact]
    public void Events_of_one_exchange_leave_as_http_then_sse_then_llm()
    {
        var wire = new Wire().Write(Wire.Request(Request)).Read(Wire.ChunkedResponse([Start("m1"), Delta("hi"), Stop]))
            .Write(Wire.Request("{\"model\":\"claude-x\",\"max_tokens\":5,\"messages\":[]}")).Read(Wire.Response("{\"id\":\"m2\",\"type\":\"message\",\"content\":[]}"));

        var chain = AnalyzerChain.Default().Run(wire.Events);

        Assert.Equal(["http", "sse", "llm", "http", "llm"], chain.Output.Select(e => e.Source));
        Assert.All(chain.Output.Take(3), e => Assert.Equal("4242:0x1000:1", (string?)e.Fields!["exchange_id"]));
    }

    [Fact]
    public void Keep_chunks_passes_the_pieces_on_before_their_exchange()
    {
        var wire = new Wire().Write(Wire.Request(Request)).Read(Wire.StreamHead())
            .Read(Wire.Chunk(Start("m1"))).Read(Wire.Chunk(Delta("hi"))).Read(Wire.Chunk(Stop) + Wire.LastChunk);

        var chain = AnalyzerChain.Default(sse: new SseAnalyzerConfig { KeepChunks = true }).Run(wire.Events);

        Assert.Equal(["http_body", "http_body", "http_body", "http", "sse", "llm"], chain.Output.Select(e => e.Source));
    }

    [Fact]
    public void Include_events_puts_every_parsed_event_in_the_stream_event()
    {
        var wire = new Wire().Write(Wire.Request(Request)).Read(Wire.ChunkedResponse([Start("m1"), Delta("hi"), ": keep-alive\n\n", Stop]));

        var chain = AnalyzerChain.Default(sse: new SseAnalyzerConfig { IncludeEvents = true }).Run(wire.Events);

        var events = chain.Sse()["events"]!.AsArray();
        Assert.Equal(["message_start", "content_block_delta", "message_stop"], events.Select(e => (string?)e!["event"]));
        Assert.Equal("hi", (string?)events[1]!["data"]!["delta"]!["text"]);
        Assert.True(events.All(e => (long)e!["t_ns"]! > 0));
        Assert.False(new AnalyzerChain().Add("sse", c => new SseAnalyzerFactory().Create(new SseAnalyzerConfig(), c)).Run(
            HttpPieces(wire)).OfSource("sse").Single().Fields!.ContainsKey("events"));
    }

    [Fact]
    public void An_endless_stream_is_cut_at_the_stream_cap_and_says_so()
    {
        var config = new SseAnalyzerConfig { MaxStreamBytes = 64 * 1024, IncludeEvents = true };
        var chain = AnalyzerChain.Default(sse: config);
        var wire = new Wire().Write(Wire.Request(Request)).Read(Wire.StreamHead()).Read(Wire.Chunk(Start("m")));
        foreach (var evt in wire.Events)
        {
            chain.Push(evt);
        }
        var sse = (SseAnalyzer)chain.Analyzer(1);
        var piece = Wire.Chunk(string.Concat(Enumerable.Range(0, 50).Select(_ => Delta("0123456789"))));
        for (var i = 0; i < 2000; i++)
        {
            chain.Push(new Wire().Read(piece).Events[0].WithTime(wire.Now + i));
            Assert.True(sse.HeldBytes <= 3 * config.MaxStreamBytes, $"{sse.HeldBytes} bytes held after {i} pieces");
        }
        chain.Finish();

        var stream = chain.Sse();
        Assert.True((bool)stream["truncated"]!);
        Assert.True((long)stream["events_dropped"]! > 0);
        Assert.Equal("shutdown", (string?)stream["end_reason"]);
        Assert.Equal(1, chain.Context("sse").CounterValue("content_truncated"));
        Assert.True(((string)stream["text"]!).Length <= (config.MaxStreamBytes / 2) + 100);
    }

    [Fact]
    public void Streams_beyond_the_total_cap_are_evicted_and_their_exchange_says_so()
    {
        var config = new SseAnalyzerConfig { MaxStreamBytes = 64 * 1024, MaxTotalBytes = 256 * 1024 };
        var wire = new Wire();
        var big = string.Concat(Enumerable.Range(0, 60).Select(_ => Delta(new string('x', 400))));
        for (ulong c = 1; c <= 12; c++)
        {
            wire.Write(Wire.Request(Request), connection: c).Read(Wire.StreamHead(), connection: c).Read(Wire.Chunk(Start("m" + c) + big), connection: c);
        }
        for (ulong c = 1; c <= 12; c++)
        {
            wire.Read(Wire.Chunk(Delta("end")) + Wire.LastChunk, connection: c);
        }

        var chain = AnalyzerChain.Default(sse: config).Run(wire.Events);

        var streams = chain.OfSource("sse").Select(e => e.Fields!).ToList();
        Assert.Equal(12, streams.Count);
        var evicted = streams.Where(s => (string?)s["end_reason"] == "evicted").ToList();
        Assert.NotEmpty(evicted);
        Assert.All(evicted, s => Assert.False((bool)s["complete"]!));
        Assert.Equal(evicted.Count, chain.Context("sse").CounterValue("streams_evicted"));
        Assert.True(chain.Context("sse").CounterValue("chunks_dropped") >= evicted.Count);
        // Every call still gets its llm event, in order after its http and sse events.
        Assert.Equal(12, chain.OfSource("llm").Count);
        Assert.All(chain.OfSource("llm").Where(e => evicted.Any(s => (string?)s["exchange_id"] == (string?)e.Fields!["exchange_id"])),
            e => Assert.False((bool)e.Fields!["complete"]!));
    }

    [Fact]
    public void A_stream_whose_exchange_never_ends_is_emitted_at_its_idle_timeout_once()
    {
        var config = new SseAnalyzerConfig { IdleTimeoutMs = 10_000 };
        var run = new AnalyzerChain().Add("sse", c => new SseAnalyzerFactory().Create(config, c));
        var wire = new Wire().Write(Wire.Request(Request)).Read(Wire.StreamHead()).Read(Wire.Chunk(Start("m1") + Delta("partial")));
        var pieces = HttpPieces(wire);
        var http = pieces.Single(e => e.Source == "http");
        run.Run(pieces.Where(e => e.Source != "http"), flush: false);

        run.Tick(wire.Now + 11_000_000_000);
        run.Push(http.WithTime(wire.Now + 12_000_000_000));

        var stream = Assert.Single(run.OfSource("sse")).Fields!;
        Assert.Equal("idle_timeout", (string?)stream["end_reason"]);
        Assert.Equal("partial", (string?)stream["text"]);
        Assert.Single(run.OfSource("http"));
    }

    [Fact]
    public void Invalid_utf8_and_random_bytes_in_a_stream_are_survived()
    {
        var garbage = new byte[4096];
        new Random(3).NextBytes(garbage);
        var wire = new Wire().Write(Wire.Request(Request)).Read(Wire.StreamHead())
            .Add(TlsDirection.Read, Wire.Latin1(Wire.Chunk(garbage)))
            .Add(TlsDirection.Read, Wire.Latin1(Wire.Chunk([0x64, 0x61, 0x74, 0x61, 0x3A, 0xFF, 0xFE, 0xC3, 0x0A, 0x0A])))
            .Read(Wire.Chunk(Start("m") + Delta("ok") + Stop) + Wire.LastChunk);

        var chain = AnalyzerChain.Default().Run(wire.Events);

        Assert.Equal("ok", (string?)chain.Sse()["text"]);
    }

    /// <summary>The http analyzer's output for these events (pieces and exchanges), to feed the sse analyzer alone.</summary>
    private static List<AgentEvent> HttpPieces(Wire wire) => HttpRun.Of(wire.Events).Output.Events;
}

internal static class EventTime
{
    public static AgentEvent WithTime(this AgentEvent evt, long timestamp) => new(timestamp, evt.Source, evt.Pid, evt.Tid, evt.Comm, evt.Data);
}
