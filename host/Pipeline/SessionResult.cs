using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>How a run ended: the final counters, its duration, and what made it fail, if anything did.</summary>
/// <param name="Metrics">The counters when the run ended.</param>
/// <param name="Elapsed">How long it ran.</param>
/// <param name="FailedRunners">The sources that failed.</param>
internal sealed record SessionResult(PipelineMetricsSnapshot Metrics, TimeSpan Elapsed, IReadOnlyList<string> FailedRunners)
{
    /// <summary>
    /// The stages whose failure lost events for good: a sink taken out or whose last flush or stop threw, a fail-closed
    /// analyzer taken out, an analyzer whose last flush threw.
    /// </summary>
    public IReadOnlyList<StageFailure> FailedStages { get; init; } = [];

    /// <summary>Set when the shutdown did not finish within its bound and the run gave up on a stage.</summary>
    public StuckShutdown? StuckShutdown { get; init; }

    /// <summary>False when anything was lost to a failure: the command then exits with code 1.</summary>
    public bool Succeeded => FailedRunners.Count == 0 && FailedStages.Count == 0 && StuckShutdown is null;
}

/// <summary>A stage whose failure lost events for good.</summary>
/// <param name="Id">The stage id.</param>
/// <param name="Plugin">Its plugin.</param>
/// <param name="Kind">Sink or analyzer.</param>
/// <param name="Reason">
/// What failed: <c>taken out after 10 failures (last error: …)</c>, <c>could not be restarted (…)</c>, <c>its stop threw (…)</c>,
/// <c>its last flush threw (…)</c>.
/// </param>
/// <param name="Received">Events that reached it.</param>
/// <param name="Lost">
/// Of those, the ones it did not write (a sink) or dropped (a fail-closed analyzer); null when only the plugin knows
/// (what a sink still held when its stop failed, without an <c>events_dropped</c> counter; what an analyzer held).
/// </param>
internal sealed record StageFailure(string Id, string Plugin, PluginKind Kind, string Reason, long Received, long? Lost)
{
    /// <summary>The counter a sink counts the events it could not write in (the file and session-store sinks do).</summary>
    public const string SinkLossCounter = "events_dropped";

    /// <summary>What was lost, as the end of a line: <c>15 of the 30 events it received were not written</c>.</summary>
    public string Consequence => (Kind, Lost) switch
    {
        (PluginKind.Sink, null) => $"some of the {Received} events it received may not have been written",
        (PluginKind.Sink, _) => $"{Lost} of the {Received} events it received were not written",
        (_, null) => $"what it still held of the {Received} events it received was lost",
        _ => $"{Lost} of the {Received} events it received were dropped",
    };

    /// <summary>One line: which stage, why, and what was lost.</summary>
    public override string ToString() => $"{(Kind == PluginKind.Sink ? "sink" : "stage")} {Id} (plugin {Plugin}): {Reason}; {Consequence}";
}

/// <summary>A shutdown the run gave up on.</summary>
/// <param name="After">The bound it waited.</param>
/// <param name="Holders">What held it, each as a phrase: <c>stage x (plugin y) has not returned from Process</c>.</param>
/// <param name="Queued">Events still in the stages' queues, lost.</param>
internal sealed record StuckShutdown(TimeSpan After, IReadOnlyList<string> Holders, long Queued)
{
    /// <summary>The bound as the user gave it: <c>0.5</c>, <c>10</c>.</summary>
    public string Seconds => After.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What the queued events became.</summary>
    public string Lost => Queued == 1 ? "1 event still queued is lost" : $"{Queued} events still queued are lost";

    /// <summary>One line: the bound, what held it, what was lost.</summary>
    public override string ToString() => $"Shutdown gave up after {Seconds} s: {string.Join("; ", Holders)}; {Lost}";
}
