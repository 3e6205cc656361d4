using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>How a run ended: the final counters, its duration, and the runners that failed.</summary>
internal sealed record SessionResult(PipelineMetricsSnapshot Metrics, TimeSpan Elapsed, IReadOnlyList<string> FailedRunners)
{
    public bool Succeeded => FailedRunners.Count == 0;
}
