using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Web.Session;

/// <summary>Pipeline counters as the API shows them, and the losses among them.</summary>
internal static class PipelineViews
{
    /// <summary>
    /// Words that mark a counter as a loss. Stage and runner counters are free-form (docs/PLUGINS.md asks plugins to
    /// count what they refuse, cut or evict): these cover the names in use (<c>bad_lines</c>, <c>ring_full</c>,
    /// <c>streams_evicted</c>, <c>bytes_lost</c>, <c>limit_bytes</c>…) without listing each. A counter of what is left
    /// out by design (<c>tls_calls_left_to_tls</c>, <c>filtered_bytes</c>, <c>duplicates_ignored</c>) must avoid them.
    /// </summary>
    private static readonly string[] LossWords = ["drop", "lost", "loss", "evict", "trunc", "bad", "fail", "error", "refus", "skip", "overflow", "full", "miss", "reject", "limit"];

    public static bool IsLoss(string counter)
    {
        foreach (var word in LossWords)
        {
            if (counter.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    public static PipelineView From(PipelineMetricsSnapshot? snapshot, RecordedPipeline? recorded) => new(
        snapshot?.TakenAt,
        snapshot?.Sources.Select(s => new SourceRow(s.Name, s.Produced, s.Counters)).ToList() ?? [],
        snapshot?.Stages.Select(Stage).ToList() ?? [],
        recorded);

    private static StageRow Stage(StageMetricsSnapshot s) => new(s.Position, s.Id, s.Plugin,
        s.Kind == PluginKind.Analyzer ? "analyzer" : "sink", s.State.ToString().ToLowerInvariant(), s.In, s.Out, s.Dropped, s.Failed,
        s.Restarts, s.QueueDepth, s.QueueHighWater, s.QueueCapacity, s.Backpressure, Math.Round(s.TimeSpent.TotalMilliseconds, 3), s.Counters);

    /// <summary>Reads the host's record of a stored session's counters; null when it is not one.</summary>
    public static RecordedPipeline? ReadRecorded(JsonObject? data, JsonSerializerOptions options)
    {
        if (data is null)
        {
            return null;
        }
        try
        {
            return data.Deserialize<RecordedPipeline>(options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A runner's counter, summed over this run and the recording's (a stored session's runners are not this run's).</summary>
    public static long SourceCounter(PipelineView view, string source, string counter)
    {
        long total = 0;
        foreach (var row in view.Sources.Concat(view.Recorded?.Sources ?? []))
        {
            if (row.Name == source && row.Counters.TryGetValue(counter, out var value))
            {
                total += value;
            }
        }
        return total;
    }

    /// <summary>Every loss: queue drops and failures of each stage, loss counters of stages and runners, and the UI's own evictions.</summary>
    public static DropTotals Drops(PipelineView view, long evicted, string uiStage)
    {
        // A stored session's own counters tell what was lost while it was recorded; the replay into the UI adds its own.
        var items = new List<DropRow>();
        var fromRecording = view.Recorded is not null;
        if (view.Recorded is { } recorded)
        {
            Collect(recorded.Sources, recorded.Stages, items, "recorded: ");
        }
        Collect(view.Sources, view.Stages, items, fromRecording ? "this view: " : "");
        if (evicted > 0)
        {
            items.Add(new DropRow(uiStage, "sink", "evicted_from_memory", evicted));
        }
        var incomplete = view.Recorded is { } stored && !RecordedComplete(stored);
        return new DropTotals(items.Sum(i => i.Count), items, fromRecording, incomplete, incomplete ? IncompleteText : null);
    }

    /// <summary>What the report and the UI say about a stored session that was never marked complete.</summary>
    public const string IncompleteText = "This session is incomplete: its recording did not finish (the recorder was killed, crashed "
        + "or is still running), so events that were still in its queues are missing and its last counters predate them.";

    /// <summary>
    /// True when the session store marked the session complete. It writes <c>complete=false</c> when it starts and
    /// <c>true</c> only after its last batch and final counters are stored, so anything else (false, missing, a kill
    /// between the two) means events may be missing that no counter shows.
    /// </summary>
    private static bool RecordedComplete(RecordedPipeline recorded) =>
        recorded.Meta.TryGetValue("complete", out var complete) && complete == "true";

    private static void Collect(IReadOnlyList<SourceRow> sources, IReadOnlyList<StageRow> stages, List<DropRow> items, string prefix)
    {
        foreach (var source in sources)
        {
            foreach (var (name, value) in source.Counters)
            {
                if (value > 0 && IsLoss(name))
                {
                    items.Add(new DropRow(prefix + source.Name, "source", name, value));
                }
            }
        }
        foreach (var stage in stages)
        {
            if (stage.Dropped > 0)
            {
                items.Add(new DropRow(prefix + stage.Id, stage.Kind, "dropped", stage.Dropped));
            }
            if (stage.Failed > 0)
            {
                items.Add(new DropRow(prefix + stage.Id, stage.Kind, "failed", stage.Failed));
            }
            foreach (var (name, value) in stage.Counters)
            {
                if (value > 0 && IsLoss(name))
                {
                    items.Add(new DropRow(prefix + stage.Id, stage.Kind, name, value));
                }
            }
        }
    }
}
