using System.Diagnostics;
using System.Globalization;
using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Traffic;

namespace AgentSight.Benchmarks;

/// <summary>
/// Where the default chain's time goes: its analyzers, loaded from disk as the host loads them, chained by direct
/// calls on one thread (what a stage emits goes straight into the next stage's <c>Process</c>), timers fired on
/// event time as in <c>replay</c>, the output discarded. Each stage's own time excludes the stages after it; the
/// garbage collector's pauses are counted in the stage whose allocation triggered them, and also reported alone.
/// This is the chain's CPU cost without the bus, per MB of TLS plaintext.
/// </summary>
internal static class StageProfileBenchmark
{
    public static void Run(int calls, int runs)
    {
        var plugins = BenchPlugins.Prepare("stages", [.. BenchPlugins.DefaultChain, "null-sink"]);
        try
        {
            var stages = string.Join(", ", BenchPlugins.DefaultChain.Select(name => $$"""{ "plugin": "{{name}}" }"""));
            var plan = BenchPlugins.Plan(plugins, $$"""{ "stages": [ {{stages}}, { "plugin": "null-sink" } ] }""");
            var recording = SyntheticTraffic.Generate(new SyntheticOptions { Count = calls, Seed = 11, StartTime = SyntheticTraffic.DefaultStartTime });
            Profile(plan, recording.Events.ToArray(), $"{calls:N0} calls", runs);
        }
        finally
        {
            Directory.Delete(plugins, recursive: true);
        }
    }

    /// <summary>Times each stage of <paramref name="plan"/>'s analyzers over <paramref name="events"/>, as <see cref="Run"/> does.</summary>
    public static void Profile(PipelinePlan plan, AgentEvent[] events, string label, int runs)
    {
        {
            var megabytes = events.Sum(e => e.Data is TlsPayload t ? (long)t.Bytes.Length : 0) / 1e6;
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Default chain by direct calls on 1 thread: {label}, {events.Length:N0} ssl events, {megabytes:N1} MB of plaintext, {runs} runs after 1 warm-up"));
            var ids = plan.Analyzers.Select(s => s.Id).ToList();
            var perStage = ids.ToDictionary(id => id, _ => new List<double>());
            var allocations = ids.ToDictionary(id => id, _ => new List<double>());
            var totals = new List<double>();
            var pauses = new List<double>();
            for (var run = 0; run <= runs; run++)
            {
                var sink = new DiscardingOutput();
                IEventOutput next = sink;
                var chain = new List<TimedStage>();
                foreach (var stage in plan.Analyzers.Reverse())
                {
                    var context = new BenchStageContext(stage.Id);
                    var timed = new TimedStage(((IAnalyzerFactory)stage.Factory).Create(stage.Config, context), context, next);
                    chain.Insert(0, timed);
                    next = timed;
                }
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var paused = GC.GetTotalPauseDuration();
                var started = Stopwatch.GetTimestamp();
                foreach (var evt in events)
                {
                    chain[0].Emit(evt);
                }
                foreach (var stage in chain)
                {
                    stage.Flush();
                }
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var pause = (GC.GetTotalPauseDuration() - paused).TotalMilliseconds;
                if (run == 0)
                {
                    continue;
                }
                var own = new List<string>();
                for (var i = 0; i < chain.Count; i++)
                {
                    var exclusive = chain[i].InclusiveMs - (i + 1 < chain.Count ? chain[i + 1].InclusiveMs : 0);
                    perStage[ids[i]].Add(exclusive / megabytes);
                    var bytes = chain[i].InclusiveBytes - (i + 1 < chain.Count ? chain[i + 1].InclusiveBytes : 0);
                    allocations[ids[i]].Add(bytes / 1e6 / megabytes);
                    own.Add(string.Create(CultureInfo.InvariantCulture, $"{ids[i]} {exclusive / megabytes:N2}"));
                }
                totals.Add(ms / megabytes);
                pauses.Add(pause / megabytes);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  run {run}: {ms / megabytes:N2} ms per MB ({megabytes * 1000 / ms:N0} MB/s on one core), of which GC pauses {pause / megabytes:N2}; {string.Join(", ", own)}; {sink.Llm:N0} llm events"));
            }
            Console.WriteLine("  median per MB of plaintext, each stage without the ones after it (GC pauses included where they fell):");
            foreach (var id in ids)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {id,-12} {Median(perStage[id]),6:N2} ms   {Median(allocations[id]),5:N2} MB allocated"));
            }
            var median = Median(totals);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {"all",-12} {median,6:N2}   ({1000 / median:N0} MB/s on one core), of which GC pauses {Median(pauses):N2}"));
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>
    /// One analyzer as the host's stage drives it (event clock, timer due one interval after the first event), timed
    /// from the outside; its time includes the stages it emits into.
    /// </summary>
    private sealed class TimedStage(IAnalyzer analyzer, BenchStageContext context, IEventOutput next) : IEventOutput
    {
        private readonly long _interval = analyzer.TimerInterval > TimeSpan.Zero ? analyzer.TimerInterval.Ticks * 100 : 0;
        private long _nextTimer;
        private long _ticks;

        public double InclusiveMs => _ticks * 1000.0 / Stopwatch.Frequency;

        /// <summary>Bytes allocated inside the stage and the stages it emits into.</summary>
        public long InclusiveBytes { get; private set; }

        public void Emit(AgentEvent evt)
        {
            var started = Stopwatch.GetTimestamp();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            context.Observe(evt.Timestamp);
            analyzer.Process(evt, next);
            if (_interval > 0)
            {
                if (_nextTimer == 0)
                {
                    _nextTimer = context.Now + _interval;
                }
                else if (context.Now >= _nextTimer)
                {
                    _nextTimer = context.Now + _interval;
                    analyzer.OnTimer(context.Now, next);
                }
            }
            InclusiveBytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
            _ticks += Stopwatch.GetTimestamp() - started;
        }

        public void Flush()
        {
            var started = Stopwatch.GetTimestamp();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            analyzer.Flush(next);
            (analyzer as IDisposable)?.Dispose();
            InclusiveBytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
            _ticks += Stopwatch.GetTimestamp() - started;
        }
    }

    private sealed class DiscardingOutput : IEventOutput
    {
        public int Llm { get; private set; }

        public void Emit(AgentEvent evt)
        {
            if (evt.Source == "llm")
            {
                Llm++;
            }
        }
    }
}
