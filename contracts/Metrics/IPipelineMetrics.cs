namespace AgentSight.Contracts;

/// <summary>Read access to the counters of the whole pipeline (for sinks such as a web UI).</summary>
public interface IPipelineMetrics
{
    /// <summary>A consistent-enough copy of every counter now. Cheap; safe from any thread.</summary>
    PipelineMetricsSnapshot Snapshot();
}
