using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using AgentSight.Contracts;
using AgentSight.Host.Manifest;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Plugins;
using AgentSight.Host.Runners;
using AgentSight.Traffic;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Benchmarks;

/// <summary>
/// The default analyzer chain (ssl-filter → http → sse → llm → http-filter → redact, as in the shipped manifest), or
/// only its core (http → sse → llm), loaded from disk as real plugins and run on the real bus, fed a synthetic
/// recording of LLM traffic held in memory: events/s, MB/s of TLS plaintext, CPU, allocations. Then the memory that
/// 1000 streams left open take.
/// </summary>
internal static class AnalyzerBenchmark
{
    private static readonly string[] CoreChain = ["http", "sse", "llm"];

    /// <summary>How busy each stage was in the last run (time in the plugin / wall time).</summary>
    internal static string Busy { get; private set; } = "";

    public static async Task RunAsync(int calls, int runs, int warmups, bool coreOnly, int openStreams)
    {
        var chain = coreOnly ? CoreChain : BenchPlugins.DefaultChain;
        var plugins = BenchPlugins.Prepare("analyzers", [.. chain, "null-sink"]);
        try
        {
            var stages = string.Join(", ", chain.Select(name => $$"""{ "plugin": "{{name}}" }"""));
            var plan = BenchPlugins.Plan(plugins, $$"""{ "stages": [ {{stages}}, { "plugin": "null-sink" } ] }""");
            Console.WriteLine();
            Console.WriteLine($"Generating {calls:N0} synthetic calls (mixed providers, seed 11)...");
            var recording = SyntheticTraffic.Generate(new SyntheticOptions { Count = calls, Seed = 11, StartTime = SyntheticTraffic.DefaultStartTime });
            var events = recording.Events.ToArray();
            var plaintext = events.Sum(e => e.Data is TlsPayload t ? (long)t.Bytes.Length : 0);
            var streamed = recording.Calls.Count(c => c.Stream);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{string.Join(" -> ", chain)} -> discarding sink: {events.Length:N0} ssl events, {plaintext / 1e6:N1} MB of plaintext, {recording.Calls.Count:N0} calls ({streamed:N0} streamed), {runs} runs after {warmups} warm-up runs"));
            Console.WriteLine("  run  events/s     MB/s plaintext  calls/s   alloc B/event  alloc/plaintext  gen0  gen1  gen2  llm events");
            var rates = new List<double>();
            var throughputs = new List<double>();
            for (var run = 1 - warmups; run <= runs; run++)
            {
                var result = await RunOnce(plan, events, plaintext);
                if (run <= 0)
                {
                    continue;
                }
                rates.Add(events.Length / result.Seconds);
                throughputs.Add(plaintext / 1e6 / result.Seconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {run,3}  {events.Length / result.Seconds,11:N0}  {plaintext / 1e6 / result.Seconds,14:N1}  {recording.Calls.Count / result.Seconds,8:N0}  {result.AllocatedBytes / (double)events.Length,13:N0}  {result.AllocatedBytes / (double)plaintext,14:N2}x  {result.Gen0,4}  {result.Gen1,4}  {result.Gen2,4}  {result.LlmEvents,10:N0}   busy: {Busy}"));
            }
            rates.Sort();
            throughputs.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  median {rates[rates.Count / 2]:N0} events/s, {throughputs[throughputs.Count / 2]:N1} MB/s of plaintext (min {throughputs[0]:N1}, max {throughputs[^1]:N1})"));

            await OpenStreams(plan, openStreams);
        }
        finally
        {
            Directory.Delete(plugins, recursive: true);
        }
    }

    internal static async Task<(double Seconds, long AllocatedBytes, int Gen0, int Gen1, int Gen2, long LlmEvents)> RunOnce(PipelinePlan plan, AgentEvent[] events, long plaintext)
    {
        using var pipeline = EventPipeline.Create(plan, NullLoggerFactory.Instance, TimeProvider.System, eventTime: true);
        await pipeline.StartAsync(CancellationToken.None);
        var source = new RunnerMetrics("bench");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var paused = GC.GetTotalPauseDuration();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();

        var input = pipeline.Input;
        foreach (var evt in events)
        {
            var write = input.WriteAsync(evt, source);
            if (!write.IsCompletedSuccessfully)
            {
                await write;
            }
        }
        await pipeline.CompleteAsync();

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var snapshot = pipeline.Metrics.Snapshot();
        var llm = snapshot.Stages.Single(s => s.Id == "llm").Counters["calls"];
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var pauseMs = (GC.GetTotalPauseDuration() - paused).TotalMilliseconds;
        Busy = string.Join(", ", snapshot.Stages.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Id} {s.TimeSpent.TotalSeconds / seconds:P0} ({s.In / 1000:N0}k in)")))
            + string.Create(CultureInfo.InvariantCulture, $"; CPU {cpuSeconds * 1000 / (plaintext / 1e6):N1} ms per MB (all threads), GC pauses {pauseMs:N0} ms");
        return (seconds, bytes, GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2, llm);
    }

    /// <summary>
    /// Memory held by the chain with <paramref name="count"/> streams open at once: each exchange's request, response
    /// head and a few KiB of SSE events, and no end. Measured as the managed heap after a full collection, with the
    /// pipeline idle and every event processed, against the same pipeline before any event.
    /// </summary>
    private static async Task OpenStreams(PipelinePlan plan, int count)
    {
        using var pipeline = EventPipeline.Create(plan, NullLoggerFactory.Instance, TimeProvider.System, eventTime: true);
        await pipeline.StartAsync(CancellationToken.None);
        var source = new RunnerMetrics("bench");
        var events = OpenStreamEvents(count, out var plaintext);
        var baseline = SettledHeap();
        foreach (var evt in events)
        {
            await pipeline.Input.WriteAsync(evt, source);
        }
        // Wait until the last stage has taken every event the first one let through.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var stages = pipeline.Metrics.Snapshot().Stages;
            if (stages[0].In == events.Count && stages.All(s => s.QueueDepth == 0))
            {
                break;
            }
            await Task.Delay(20);
        }
        await Task.Delay(200);
        var held = SettledHeap() - baseline;
        var counters = pipeline.Metrics.Snapshot().Stages.ToDictionary(s => s.Id, s => s.Counters);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count:N0} open streams ({events.Count:N0} events, {plaintext / 1e6:N1} MB of plaintext, none ended): managed heap +{held / 1e6:N1} MB, {held / (double)count / 1024:N1} KiB per stream"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  (includes the {count:N0} request events the recording itself keeps alive; sse events so far: {counters["sse"]["events"]:N0}, evicted: {counters["sse"]["streams_evicted"]})"));
        await pipeline.CompleteAsync();
    }

    private static long SettledHeap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static List<AgentEvent> OpenStreamEvents(int count, out long plaintext)
    {
        var events = new List<AgentEvent>(count * 6);
        plaintext = 0;
        var time = SyntheticTraffic.DefaultStartTime;
        var body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Write a long story.\"}]}";
        var request = Encoding.UTF8.GetBytes("POST /v1/messages HTTP/1.1\r\nhost: api.anthropic.com\r\ncontent-type: application/json\r\nx-api-key: sk-ant-FAKE\r\n" +
            $"content-length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
        var head = Encoding.UTF8.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n");
        var start = Chunk("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n" +
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        var delta = Chunk(string.Concat(Enumerable.Range(0, 8).Select(i =>
            $"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"Once upon a time, in a land far away, part {i}. \"}}}}\n\n")));
        for (var i = 0; i < count; i++)
        {
            var connection = 0x5500_0000_0000UL + ((ulong)i * 0x100);
            Add(TlsDirection.Write, request);
            Add(TlsDirection.Read, head);
            Add(TlsDirection.Read, start);
            Add(TlsDirection.Read, delta);
            Add(TlsDirection.Read, delta);

            void Add(TlsDirection direction, byte[] bytes)
            {
                time += 10_000;
                events.Add(new AgentEvent(time, EventSources.Ssl, 4000 + (i % 16), 4000 + (i % 16), "agent",
                    new TlsPayload(direction, bytes, bytes.Length) { ConnectionId = connection }));
            }
        }
        plaintext = events.Sum(e => (long)((TlsPayload)e.Data).Bytes.Length);
        return events;
    }

    private static byte[] Chunk(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return [.. Encoding.ASCII.GetBytes(bytes.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), .. bytes, .. "\r\n"u8.ToArray()];
    }
}
