using System.Globalization;
using System.Text;
using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>The table printed on stderr when a run ends: what each source produced and what each stage did.</summary>
internal static class SummaryTable
{
    /// <summary>
    /// The table, the host's CPU time for the run when known, then what made the run fail: stages that lost events, a
    /// shutdown given up on.
    /// </summary>
    public static string Format(SessionResult result, TimeSpan? hostCpu = null)
    {
        var text = new StringBuilder(Format(result.Metrics, result.Elapsed));
        if (hostCpu is { } cpu)
        {
            text.AppendLine();
            text.AppendLine(HostCpuLine(cpu, result.Metrics.Sources.Sum(s => s.Produced)));
        }
        if (result.FailedStages.Count > 0 || result.StuckShutdown is not null)
        {
            text.AppendLine();
        }
        foreach (var failure in result.FailedStages)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Failed: {failure}");
        }
        if (result.StuckShutdown is { } stuck)
        {
            text.AppendLine(stuck.ToString());
        }
        return text.ToString();
    }

    public static string Format(PipelineMetricsSnapshot snapshot, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Pipeline summary ({elapsed.TotalSeconds:0.00} s)");

        var sources = new List<string[]> { new[] { "source", "produced", "counters (non-zero)" } };
        sources.AddRange(snapshot.Sources.Select(s => new[] { s.Name, N(s.Produced), Counters(s.Counters) }));
        AppendTable(text, sources);

        var stages = new List<string[]>
        {
            new[] { "#", "stage", "plugin", "kind", "state", "in", "out", "dropped", "failed", "restarts", "queue now/max/cap", "policy", "busy", "counters (non-zero)" },
        };
        stages.AddRange(snapshot.Stages.Select(s =>
        {
            // Disabled and bypassed stages are not in the event path: they have no figures, not zeros.
            var inPath = s.State is not (StageState.Disabled or StageState.Bypassed);
            return new[]
            {
                s.Position.ToString(CultureInfo.InvariantCulture),
                s.Id,
                s.Plugin,
                s.Kind == PluginKind.Analyzer ? "analyzer" : "sink",
                s.State.ToString().ToLowerInvariant(),
                inPath ? N(s.In) : "-",
                inPath ? N(s.Out) : "-",
                inPath ? N(s.Dropped) : "-",
                inPath ? N(s.Failed) : "-",
                inPath ? N(s.Restarts) : "-",
                inPath && s.QueueCapacity > 0 ? $"{s.QueueDepth}/{s.QueueHighWater}/{s.QueueCapacity}" : inPath ? "(chain)" : "-",
                inPath && s.QueueCapacity > 0 ? s.Backpressure : "-",
                inPath ? $"{s.TimeSpent.TotalMilliseconds:0} ms" : "-",
                Counters(s.Counters),
            };
        }));
        text.AppendLine();
        AppendTable(text, stages);

        var lost = snapshot.Stages.Sum(s => s.Dropped) + snapshot.Stages.Sum(s => s.Failed);
        if (lost > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Losses: {N(snapshot.Stages.Sum(s => s.Dropped))} dropped, {N(snapshot.Stages.Sum(s => s.Failed))} failed (see the table above)");
        }
        return text.ToString();
    }

    /// <summary>
    /// "Host CPU: 1.20 s (40.0 us per event produced)": capture, analyzers and sinks together from the pipeline's start
    /// (the runtime's start and the plugins' loading excluded), so that a user sees what tracing costs the machine
    /// besides the probes' own time in the traced programs.
    /// </summary>
    public static string HostCpuLine(TimeSpan cpu, long produced) =>
        produced > 0
            ? string.Create(CultureInfo.InvariantCulture, $"Host CPU: {cpu.TotalSeconds:0.00} s ({cpu.TotalMicroseconds / produced:0.0} us per event produced)")
            : string.Create(CultureInfo.InvariantCulture, $"Host CPU: {cpu.TotalSeconds:0.00} s (no event produced)");

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Only the counters that moved: a row of zeros hides the one that matters.</summary>
    private static string Counters(IReadOnlyDictionary<string, long> counters) =>
        string.Join(" ", counters.Where(c => c.Value != 0).Select(c => $"{c.Key}={c.Value.ToString(CultureInfo.InvariantCulture)}"));

    private static void AppendTable(StringBuilder text, List<string[]> rows)
    {
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        foreach (var row in rows)
        {
            var line = new StringBuilder("  ");
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(row[i].PadRight(widths[i])).Append("  ");
            }
            text.AppendLine(line.ToString().TrimEnd());
        }
    }
}
