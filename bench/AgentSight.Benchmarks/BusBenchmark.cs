using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using AgentSight.Contracts;
using AgentSight.Host.Manifest;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Plugins;
using AgentSight.Host.Runners;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Benchmarks;

/// <summary>
/// Events per second and bytes allocated per event through the real bus: plugins loaded from disk in their own
/// load contexts, three pass-through analyzer stages, then either a discarding sink or the file sink.
/// </summary>
internal static class BusBenchmark
{
    private const string ThreeStages = """
        { "plugin": "probe-analyzer", "id": "a1" },
        { "plugin": "probe-analyzer", "id": "a2" },
        { "plugin": "probe-analyzer", "id": "a3" },
        """;

    public static async Task RunAsync(int events, int runs)
    {
        var plugins = BenchPlugins.Prepare("bus", "file", "probe-analyzer", "null-sink");
        var output = Path.Combine(Path.GetTempPath(), $"agentsight-bench-{Environment.ProcessId}.jsonl");
        try
        {
            await Scenario("3 analyzers -> discarding sink", plugins, $$"""{ "stages": [ {{ThreeStages}} { "plugin": "null-sink" } ] }""",
                events, runs, output);
            var fileEvents = Math.Max(1, events / 5);
            await Scenario("3 analyzers -> file sink (NDJSON)", plugins,
                $$"""{ "stages": [ {{ThreeStages}} { "plugin": "file", "config": { "path": "{{output}}", "append": false } } ] }""",
                fileEvents, runs, output);
        }
        finally
        {
            File.Delete(output);
            Directory.Delete(plugins, recursive: true);
        }
    }

    private static async Task Scenario(string name, string plugins, string manifestText, int events, int runs, string output)
    {
        var problems = new List<ManifestProblem>();
        var manifest = ManifestReader.Parse("bench-manifest.json", manifestText, problems)
            ?? throw new InvalidOperationException(string.Join("\n", problems));
        var catalog = new PluginCatalog(plugins, NullLogger<PluginCatalog>.Instance);
        var plan = PipelineResolver.Resolve(manifest, catalog, problems, NullLogger.Instance)
            ?? throw new InvalidOperationException(string.Join("\n", problems));
        var pool = MakeEvents(4096);

        Console.WriteLine();
        Console.WriteLine($"{name}: {events:N0} events of {pool[0].Data switch { TlsPayload t => t.Bytes.Length, _ => 0 }} B payload, {runs} runs after 1 warm-up");
        Console.WriteLine("  run  events/s     MB/s (NDJSON)  alloc B/event  gen0  gen1  gen2");
        var rates = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            var result = await RunOnce(plan, pool, events);
            var outputMb = File.Exists(output) ? new FileInfo(output).Length / 1e6 / result.Seconds : 0;
            if (run == 0)
            {
                continue;
            }
            rates.Add(events / result.Seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {run,3}  {events / result.Seconds,11:N0}  {outputMb,13:N1}  {result.AllocatedBytes / (double)events,13:N2}  {result.Gen0,4}  {result.Gen1,4}  {result.Gen2,4}"));
        }
        rates.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  median {rates[rates.Count / 2]:N0} events/s (min {rates[0]:N0}, max {rates[^1]:N0})"));
    }

    private static async Task<(double Seconds, long AllocatedBytes, int Gen0, int Gen1, int Gen2)> RunOnce(PipelinePlan plan, AgentEvent[] pool, int events)
    {
        using var pipeline = EventPipeline.Create(plan, NullLoggerFactory.Instance, TimeProvider.System, eventTime: false);
        await pipeline.StartAsync(CancellationToken.None);
        var source = new RunnerMetrics("bench");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();

        var input = pipeline.Input;
        for (var i = 0; i < events; i++)
        {
            var write = input.WriteAsync(pool[i & (pool.Length - 1)], source);
            if (!write.IsCompletedSuccessfully)
            {
                await write;
            }
        }
        await pipeline.CompleteAsync();

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return (seconds, bytes, GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
    }

    /// <summary>Events are made before timing starts: the bus is measured, not the producer.</summary>
    private static AgentEvent[] MakeEvents(int count)
    {
        var body = Encoding.UTF8.GetBytes("data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello, world\"}}\n\n");
        return [.. Enumerable.Range(0, count).Select(i => new AgentEvent(1_795_514_400_000_000_000 + i, EventSources.Ssl, 4242, 4250, "python3",
            new TlsPayload(TlsDirection.Read, body, body.Length) { ConnectionId = 0x5581_0000_1000, Uid = 1000, LatencyNs = 12_000 }))];
    }
}
