namespace AgentSight.Contracts;

/// <summary>All counters of the pipeline at one moment.</summary>
public sealed class PipelineMetricsSnapshot
{
    /// <summary>When the snapshot was taken (wall clock).</summary>
    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>The runners feeding the pipeline.</summary>
    public required IReadOnlyList<SourceMetricsSnapshot> Sources { get; init; }

    /// <summary>Every stage of the manifest, in manifest order, disabled ones included.</summary>
    public required IReadOnlyList<StageMetricsSnapshot> Stages { get; init; }
}
