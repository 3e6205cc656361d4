using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Manifest;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Plugins;
using AgentSight.Host.Runners;
using AgentSight.Traffic;
using AgentSight.Plugins.HttpFilter;
using AgentSight.Plugins.Redact;
using AgentSight.Plugins.SslFilter;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Benchmarks;

/// <summary>
/// MB/s of captured plaintext through the filters and redaction: synthetic LLM traffic (every request carries a
/// key), first each plugin called directly on one thread, then the three as stages of the real bus, loaded from disk.
/// </summary>
internal static class RedactBenchmark
{
    private const string FilterPatterns = """["data=0\\r\\n\\r\\n | data.type=binary", "comm=nobody & len>100000"]""";

    public static async Task RunAsync(int calls, int runs)
    {
        var recording = SyntheticTraffic.Generate(new SyntheticOptions { Count = calls, Seed = 42 });
        var events = recording.Events.Where(e => e.Data is TlsPayload).ToArray();
        var bytes = events.Sum(e => ((TlsPayload)e.Data).Bytes.Length);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Synthetic traffic: {calls:N0} LLM calls, {events.Length:N0} ssl events, {bytes / 1e6:N1} MB of plaintext (mean {bytes / events.Length:N0} B/event)"));

        Measure("redact, called directly (1 thread)", events, bytes, runs, () =>
        {
            var redactor = new RedactFactory().Create(new RedactConfig(), new BenchStageContext());
            return (redactor, null);
        });
        Measure("ssl-filter then redact, called directly (1 thread)", events, bytes, runs, () =>
        {
            var filter = new SslFilterFactory().Create(new SslFilterConfig { Patterns = ["data=0\\r\\n\\r\\n | data.type=binary", "comm=nobody & len>100000"] },
                new BenchStageContext());
            return (new RedactFactory().Create(new RedactConfig(), new BenchStageContext()), filter);
        });
        var exchanges = ExchangeEvents(recording);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"The same calls as analyzer output (one http, one sse when streamed, one llm event per call, as docs/EVENTS.md): {exchanges.Length:N0} events"));
        MeasureJson("redact on http/sse/llm events, called directly (1 thread)", recording, bytes, runs);

        var plugins = BenchPlugins.Prepare("redact", "ssl-filter", "http-filter", "redact", "http", "sse", "llm", "null-sink");
        try
        {
            var catalog = new PluginCatalog(plugins, NullLogger<PluginCatalog>.Instance);
            var descriptor = catalog.Find("redact")!;
            catalog.Load(descriptor);
            var factory = (IAnalyzerFactory)descriptor.Factory!;
            Measure("redact loaded as a plugin (own load context), called directly (1 thread)", events, bytes, runs,
                () => (factory.Create(factory.CreateDefaultConfig(), new BenchStageContext()), null));
        }
        finally
        {
            Directory.Delete(plugins, recursive: true);
        }
        await MeasureBusAsync("redact -> discarding sink", """
            { "plugin": "redact" },
            """, events, bytes, runs);
        await MeasureBusAsync("ssl-filter -> http-filter -> redact -> discarding sink", $$"""
            { "plugin": "ssl-filter", "config": { "patterns": {{FilterPatterns}} } },
            { "plugin": "http-filter", "config": { "presets": ["record"] } },
            { "plugin": "redact" },
            """, events, bytes, runs);
        await MeasureBusAsync("the default chain: ssl-filter -> http -> sse -> llm -> http-filter -> redact -> discarding sink", """
            { "plugin": "ssl-filter" }, { "plugin": "http" }, { "plugin": "sse" }, { "plugin": "llm" },
            { "plugin": "http-filter", "config": { "presets": ["record"] } },
            { "plugin": "redact" },
            """, events, bytes, runs);
    }

    private static void Measure(string name, AgentEvent[] events, long bytes, int runs, Func<(IAnalyzer Redactor, IAnalyzer? Filter)> create)
    {
        Console.WriteLine();
        Console.WriteLine($"{name}: {runs} runs after 1 warm-up");
        var rates = new List<double>();
        var cpuRates = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            var input = Copy(events);
            var (redactor, filter) = create();
            var sink = new CountingOutput();
            var filtered = filter is null ? null : new ForwardingOutput(redactor, sink);
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            foreach (var evt in input)
            {
                if (filter is null)
                {
                    redactor.Process(evt, sink);
                }
                else
                {
                    filter.Process(evt, filtered!);
                }
            }
            redactor.Flush(sink);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var perEvent = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)input.Length;
            if (filter is null && sink.Count != input.Length)
            {
                throw new InvalidOperationException($"{sink.Count} of {input.Length} events came out");
            }
            if (run > 0)
            {
                rates.Add(bytes / 1e6 / seconds);
                cpuRates.Add(bytes / 1e6 / cpuSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  run {run}: {bytes / 1e6 / seconds,8:N1} MB/s wall  {bytes / 1e6 / cpuSeconds,8:N1} MB per CPU-second  {input.Length / seconds,11:N0} events/s  {perEvent,6:N0} B allocated/event"));
            }
        }
        Summary(rates, cpuRates);
    }

    private static void Summary(List<double> rates, List<double> cpuRates)
    {
        rates.Sort();
        cpuRates.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  median {rates[rates.Count / 2]:N1} MB/s wall (min {rates[0]:N1}, max {rates[^1]:N1}); median {cpuRates[cpuRates.Count / 2]:N1} MB per CPU-second"));
    }

    private static void MeasureJson(string name, SyntheticRecording recording, long bytes, int runs)
    {
        Console.WriteLine($"{name}: {runs} runs after 1 warm-up (MB/s counts the plaintext those events were made from)");
        var rates = new List<double>();
        var cpuRates = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            var input = ExchangeEvents(recording);
            var redactor = new RedactFactory().Create(new RedactConfig(), new BenchStageContext());
            var sink = new CountingOutput();
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            foreach (var evt in input)
            {
                redactor.Process(evt, sink);
            }
            redactor.Flush(sink);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var perEvent = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)input.Length;
            if (run > 0)
            {
                rates.Add(bytes / 1e6 / seconds);
                cpuRates.Add(bytes / 1e6 / cpuSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  run {run}: {bytes / 1e6 / seconds,8:N1} MB/s wall  {bytes / 1e6 / cpuSeconds,8:N1} MB per CPU-second  {input.Length / seconds,11:N0} events/s  {perEvent,6:N0} B allocated/event"));
            }
        }
        Summary(rates, cpuRates);
    }

    /// <summary>What the http, sse and llm analyzers make of each call, approximately: the bodies, headers and texts redact walks.</summary>
    private static AgentEvent[] ExchangeEvents(SyntheticRecording recording)
    {
        var events = new List<AgentEvent>();
        foreach (var call in recording.Calls)
        {
            var id = $"{call.Pid}:0x{call.ConnectionId:x}:{call.Index}";
            var headers = new JsonObject
            {
                ["host"] = call.Host,
                ["content-type"] = "application/json",
                ["user-agent"] = "claude-cli/2.0.14 (external, cli)",
                ["anthropic-version"] = "2023-06-01",
                [call.Provider == SyntheticProvider.Anthropic ? "x-api-key" : call.Provider == SyntheticProvider.Gemini ? "x-goog-api-key" : "authorization"] =
                    call.Provider is SyntheticProvider.OpenAi or SyntheticProvider.OpenAiResponses ? "Bearer " + call.ApiKey : call.ApiKey,
            };
            events.Add(new AgentEvent(call.RequestTimestamp, "http", call.Pid, call.Tid, call.Comm, new JsonPayload(new JsonObject
            {
                ["exchange_id"] = id,
                ["request"] = new JsonObject { ["method"] = "POST", ["path"] = call.Path, ["host"] = call.Host, ["headers"] = headers, ["body"] = call.RequestBody },
                ["response"] = new JsonObject
                {
                    ["status"] = 200,
                    ["headers"] = new JsonObject { ["content-type"] = call.Stream ? "text/event-stream" : "application/json", ["request-id"] = call.RequestId },
                    ["body"] = call.Stream ? null : JsonSerializer.Serialize(new { id = call.ResponseId, text = call.AnswerText }),
                },
            })));
            if (call.Stream)
            {
                var deltas = new JsonArray();
                foreach (var piece in call.AnswerText.Chunk(24))
                {
                    deltas.Add(new JsonObject { ["event"] = "content_block_delta", ["data"] = new JsonObject { ["delta"] = new JsonObject { ["text"] = new string(piece) } } });
                }
                events.Add(new AgentEvent(call.LastResponseTimestamp, "sse", call.Pid, call.Tid, call.Comm, new JsonPayload(new JsonObject
                {
                    ["exchange_id"] = id,
                    ["events"] = deltas,
                    ["text"] = call.AnswerText,
                })));
            }
            events.Add(new AgentEvent(call.LastResponseTimestamp, "llm", call.Pid, call.Tid, call.Comm, new JsonPayload(new JsonObject
            {
                ["exchange_id"] = id,
                ["gen_ai.request.model"] = call.Model,
                ["gen_ai.input.messages"] = JsonNode.Parse(call.RequestBody),
                ["gen_ai.output.messages"] = new JsonArray(new JsonObject { ["role"] = "assistant", ["content"] = call.AnswerText }),
                ["url.path"] = call.Path,
            })));
        }
        return [.. events];
    }

    /// <summary>Plugins as stages of the real bus (each on its own task, loaded from disk), then a discarding sink.</summary>
    private static async Task MeasureBusAsync(string name, string stages, AgentEvent[] events, long bytes, int runs)
    {
        var plugins = BenchPlugins.Prepare("redact", "ssl-filter", "http-filter", "redact", "http", "sse", "llm", "null-sink");
        try
        {
            var manifestText = $$"""{ "stages": [ {{stages}} { "plugin": "null-sink" } ] }""";
            var plan = BenchPlugins.Plan(plugins, manifestText);
            Console.WriteLine();
            Console.WriteLine($"{name}, through the bus: {runs} runs after 1 warm-up");
            var rates = new List<double>();
            var cpuRates = new List<double>();
            for (var run = 0; run <= runs; run++)
            {
                var input = Copy(events);
                using var pipeline = EventPipeline.Create(plan, NullLoggerFactory.Instance, TimeProvider.System, eventTime: false);
                await pipeline.StartAsync(CancellationToken.None);
                var source = new RunnerMetrics("bench");
                GC.Collect();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var started = Stopwatch.GetTimestamp();
                foreach (var evt in input)
                {
                    var write = pipeline.Input.WriteAsync(evt, source);
                    if (!write.IsCompletedSuccessfully)
                    {
                        await write;
                    }
                }
                await pipeline.CompleteAsync();
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                var snapshot = pipeline.Metrics.Snapshot();
                var redact = snapshot.Stages.Single(s => s.Id == "redact");
                if (run > 0)
                {
                    rates.Add(bytes / 1e6 / seconds);
                    cpuRates.Add(bytes / 1e6 / cpuSeconds);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  run {run}: {bytes / 1e6 / seconds,8:N1} MB/s wall  {bytes / 1e6 / cpuSeconds,8:N1} MB per CPU-second (all threads)  {input.Length / seconds,11:N0} events/s  redact stage busy {redact.TimeSpent.TotalMilliseconds:N0} of {seconds * 1000:N0} ms"));
                }
            }
            Summary(rates, cpuRates);
        }
        finally
        {
            Directory.Delete(plugins, recursive: true);
        }
    }

    /// <summary>Fresh envelopes and payloads over the same byte arrays: the redactor replaces buffers, never writes into them.</summary>
    private static AgentEvent[] Copy(AgentEvent[] events) =>
    [
        .. events.Select(e =>
        {
            var tls = (TlsPayload)e.Data;
            return new AgentEvent(e.Timestamp, e.Source, e.Pid, e.Tid, e.Comm, new TlsPayload(tls.Direction, tls.Bytes, tls.Length)
            {
                HasBytes = tls.HasBytes,
                ConnectionId = tls.ConnectionId,
                Uid = tls.Uid,
                LatencyNs = tls.LatencyNs,
                BytesLost = tls.BytesLost,
            });
        }),
    ];

    private sealed class CountingOutput : IEventOutput
    {
        public int Count { get; private set; }

        public void Emit(AgentEvent evt) => Count++;
    }

    private sealed class ForwardingOutput(IAnalyzer next, IEventOutput output) : IEventOutput
    {
        public void Emit(AgentEvent evt) => next.Process(evt, output);
    }
}
