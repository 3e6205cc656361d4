using System.Diagnostics;
using System.Globalization;
using AgentSight.Contracts;
using AgentSight.Host.Runners.Synthetic;

namespace AgentSight.Benchmarks;

/// <summary>
/// Where the default chain's time goes: its analyzers, loaded from disk as the host loads them, called directly on
/// one thread, one stage after the other over the whole recording (each stage gets everything the one before it
/// emitted), timers fired on event time as in <c>replay</c>. Reports each stage's time and allocations per MB of
/// TLS plaintext: the chain's CPU cost without the bus.
/// </summary>
internal static class StageProfileBenchmark
{
    private static readonly string[] DefaultChain = ["ssl-filter", "http", "sse", "llm", "http-filter", "redact"];

    public static void Run(int calls, int runs)
    {
        var plugins = BenchPlugins.Prepare("stages", [.. DefaultChain, "null-sink"]);
        try
        {
            var stages = string.Join(", ", DefaultChain.Select(name => $$"""{ "plugin": "{{name}}" }"""));
            var plan = BenchPlugins.Plan(plugins, $$"""{ "stages": [ {{stages}}, { "plugin": "null-sink" } ] }""");
            var recording = SyntheticTraffic.Generate(new SyntheticOptions { Count = calls, Seed = 11, StartTime = SyntheticTraffic.DefaultStartTime });
            var events = recording.Events.ToArray();
            var megabytes = events.Sum(e => e.Data is TlsPayload t ? (long)t.Bytes.Length : 0) / 1e6;
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Default chain called directly, stage after stage, 1 thread: {calls:N0} calls, {events.Length:N0} ssl events, {megabytes:N1} MB of plaintext, {runs} runs after 1 warm-up"));
            var times = plan.Analyzers.ToDictionary(s => s.Id, _ => new List<double>());
            var allocations = plan.Analyzers.ToDictionary(s => s.Id, _ => new List<double>());
            var totals = new List<double>();
            for (var run = 0; run <= runs; run++)
            {
                var input = (IReadOnlyList<AgentEvent>)events;
                var total = 0.0;
                var line = new List<string>();
                foreach (var stage in plan.Analyzers)
                {
                    var factory = (IAnalyzerFactory)stage.Factory;
                    var context = new BenchStageContext(stage.Id);
                    var analyzer = factory.Create(stage.Config, context);
                    var output = new ListOutput(input.Count);
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    var allocated = GC.GetTotalAllocatedBytes(precise: true);
                    var started = Stopwatch.GetTimestamp();
                    Drive(analyzer, context, input, output);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                    (analyzer as IDisposable)?.Dispose();
                    if (run > 0)
                    {
                        times[stage.Id].Add(ms / megabytes);
                        allocations[stage.Id].Add(bytes / megabytes / 1e6);
                        total += ms / megabytes;
                        line.Add(string.Create(CultureInfo.InvariantCulture, $"{stage.Id} {ms / megabytes:N2}"));
                    }
                    input = output.Events;
                }
                if (run > 0)
                {
                    totals.Add(total);
                    var llmEvents = input.Count(e => e.Source == "llm");
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  run {run}: {total:N2} ms per MB in all ({1000 / total:N0} MB/s on one core); {string.Join(", ", line)}; {llmEvents:N0} llm events"));
                }
            }
            Console.WriteLine("  median per stage (ms per MB of plaintext; MB allocated per MB):");
            foreach (var stage in plan.Analyzers)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {stage.Id,-12} {Median(times[stage.Id]),6:N2} ms   {Median(allocations[stage.Id]),6:N2} MB"));
            }
            var median = Median(totals);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {"all",-12} {median,6:N2} ms   ({1000 / median:N0} MB/s on one core, {2000 / median:N0} MB/s if two cores shared the work perfectly)"));
        }
        finally
        {
            Directory.Delete(plugins, recursive: true);
        }
    }

    /// <summary>As the host's analyzer stage: the clock follows events, the timer's first deadline is one interval after the first event.</summary>
    private static void Drive(IAnalyzer analyzer, BenchStageContext context, IReadOnlyList<AgentEvent> input, IEventOutput output)
    {
        var interval = analyzer.TimerInterval > TimeSpan.Zero ? analyzer.TimerInterval.Ticks * 100 : 0;
        long nextTimer = 0;
        foreach (var evt in input)
        {
            context.Observe(evt.Timestamp);
            analyzer.Process(evt, output);
            if (interval == 0)
            {
                continue;
            }
            if (nextTimer == 0)
            {
                nextTimer = context.Now + interval;
            }
            else if (context.Now >= nextTimer)
            {
                nextTimer = context.Now + interval;
                analyzer.OnTimer(context.Now, output);
            }
        }
        analyzer.Flush(output);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private sealed class ListOutput(int capacity) : IEventOutput
    {
        public List<AgentEvent> Events { get; } = new(capacity);

        public void Emit(AgentEvent evt) => Events.Add(evt);
    }
}
