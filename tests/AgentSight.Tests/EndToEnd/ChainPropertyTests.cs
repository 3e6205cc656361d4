using AgentSight.Contracts;
using AgentSight.Traffic;
using AgentSight.Plugins.Http;
using AgentSight.Plugins.Sse;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;
using CsCheck;

namespace AgentSight.Tests.Analyzers.EndToEnd;

/// <summary>Properties of the whole chain on generated and on hostile traffic.</summary>
public sealed class ChainPropertyTests
{
    private static readonly Lazy<SyntheticRecording> Recording = new(() =>
        SyntheticTraffic.Generate(new SyntheticOptions { Count = 40, Seed = 23, StartTime = Some.Epoch }));

    private static readonly Lazy<List<string>> Reference = new(() =>
        Contents(AnalyzerChain.Default().Run(Recording.Value.Events).Output));

    [Fact]
    public void The_same_traffic_cut_into_other_reads_gives_the_same_exchanges_streams_and_calls()
    {
        Gen.Int.Sample(seed =>
        {
            var events = Resplit.Of(Recording.Value.Events, new Random(seed));

            var output = AnalyzerChain.Default().Run(events).Output;

            Assert.Equal(Reference.Value, Contents(output));
        }, iter: 25);
    }

    [Fact]
    public void Traffic_cut_off_anywhere_never_throws_and_every_started_exchange_is_emitted()
    {
        var events = Recording.Value.Events;
        Gen.Int[1, events.Count].Sample(cut =>
        {
            var chain = AnalyzerChain.Default().Run(events.Take(cut));

            var requests = events.Take(cut).Count(e => e.Data is TlsPayload { Direction: TlsDirection.Write } t
                && (t.Bytes.Span.StartsWith("POST "u8)));
            Assert.Equal(requests, chain.OfSource("http").Count);
            Assert.Equal(requests, chain.OfSource("llm").Count);
            Assert.Equal(chain.Context("http").CounterValue("exchanges_incomplete"), chain.OfSource("http").Count(e => !(bool)e.Fields!["complete"]!));
        }, iter: 60);
    }

    [Fact]
    public void Random_bytes_flipped_anywhere_never_throw_and_nothing_is_lost()
    {
        var events = Recording.Value.Events.Take(400).ToList();
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var mutated = events.Select(e =>
            {
                if (e.Data is not TlsPayload { Direction: not TlsDirection.Handshake } tls || random.Next(8) != 0)
                {
                    return e;
                }
                var bytes = tls.Bytes.ToArray();
                for (var i = 0; i < 1 + random.Next(4); i++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
                return new AgentEvent(e.Timestamp, e.Source, e.Pid, e.Tid, e.Comm, new TlsPayload(tls.Direction, bytes, bytes.Length) { ConnectionId = tls.ConnectionId });
            }).ToList();

            var chain = AnalyzerChain.Default().Run(mutated);

            // Every read and write ends up either inside an exchange or passed on as it came.
            var http = chain.Context("http");
            var dataEvents = mutated.Count(e => e.Data is TlsPayload { Direction: not TlsDirection.Handshake });
            Assert.Equal(dataEvents, http.CounterValue("raw_consumed") + http.CounterValue("raw_passed"));
            Assert.Equal(chain.OfSource("http").Count, http.CounterValue("exchanges"));
        }, iter: 30);
    }

    [Fact]
    public void Random_bytes_on_many_connections_stay_raw_and_within_the_caps()
    {
        var config = new HttpAnalyzerConfig { MaxConnections = 50, MaxHeaderBytes = 4096 };
        Gen.Byte.Array[1, 3000].Array[1, 40].Select(Gen.Int[1, 200]).Sample((pieces, connections) =>
        {
            var run = HttpRun.Of(pieces.Select((bytes, i) => new AgentEvent(Some.Epoch + i, EventSources.Ssl, 7, 7, "fuzz",
                new TlsPayload(i % 3 == 0 ? TlsDirection.Write : TlsDirection.Read, bytes, bytes.Length) { ConnectionId = (ulong)(1 + (i % connections)) })),
                config, flush: false);

            Assert.True(run.Analyzer.ConnectionCount <= config.MaxConnections);
            Assert.True(run.Analyzer.BufferedBytes <= config.MaxConnections * 2L * 8192, $"{run.Analyzer.BufferedBytes} bytes held");
            run.Analyzer.Flush(run.Output);
            Assert.Equal(pieces.Length, run.Counter("raw_consumed") + run.Counter("raw_passed"));
        }, iter: 200);
    }

    [Fact]
    public void Heads_of_any_size_never_hold_more_than_the_cap()
    {
        var config = new HttpAnalyzerConfig { MaxHeaderBytes = 8192 };
        Gen.Int[1, 200_000].Select(Gen.Int[1, 5000]).Sample((size, readSize) =>
        {
            var head = "POST /v1/messages HTTP/1.1\r\nHost: h\r\nX-Big: " + new string('a', size) + "\r\n\r\n{}";
            var wire = new Wire();
            for (var i = 0; i < head.Length; i += readSize)
            {
                wire.Write(head.Substring(i, Math.Min(readSize, head.Length - i)));
            }
            var run = HttpRun.Of(wire.Events, config, flush: false);

            Assert.True(run.Analyzer.BufferedBytes <= 2 * config.MaxHeaderBytes + readSize, $"{run.Analyzer.BufferedBytes} bytes held");
            // The head is everything up to and including the blank line that ends it.
            var headBytes = head.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
            Assert.Equal(headBytes > config.MaxHeaderBytes ? 1 : 0, run.Counter("headers_too_large"));
        }, iter: 100);
    }

    [Fact]
    public void Endless_streams_in_any_pieces_stay_within_the_stream_cap()
    {
        var config = new SseAnalyzerConfig { MaxStreamBytes = 32 * 1024, MaxTotalBytes = 128 * 1024, IncludeEvents = true };
        Gen.Int[1, 4000].Select(Gen.Int[1, 8]).Sample((pieceSize, streams) =>
        {
            var chain = AnalyzerChain.Default(sse: config);
            var wire = new Wire();
            for (var s = 1; s <= streams; s++)
            {
                wire.Write(Wire.Request("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[]}"), connection: (ulong)s).Read(Wire.StreamHead(), connection: (ulong)s);
            }
            var text = string.Concat(Enumerable.Range(0, 400).Select(i => $"data: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"token {i} \"}}}}\n\n"));
            for (var i = 0; i < text.Length; i += pieceSize)
            {
                wire.Read(Wire.Chunk(text.Substring(i, Math.Min(pieceSize, text.Length - i))), connection: (ulong)(1 + (i / pieceSize % streams)));
            }
            foreach (var evt in wire.Events)
            {
                chain.Push(evt);
            }

            var sse = (SseAnalyzer)chain.Analyzer(1);
            Assert.True(sse.HeldBytes <= config.MaxTotalBytes + (3 * config.MaxStreamBytes), $"{sse.HeldBytes} bytes held");
            chain.Finish();
            Assert.Equal(streams, chain.OfSource("sse").Count);
        }, iter: 40);
    }

    private static List<string> Contents(IEnumerable<AgentEvent> output) =>
        [.. output.Where(e => e.Source is "http" or "sse" or "llm").Select(Resplit.Content).Order(StringComparer.Ordinal)];
}
