namespace AgentSight.Contracts;

/// <summary>Counters of one runner (a source of events).</summary>
public sealed class SourceMetricsSnapshot
{
    /// <summary>The runner's name, e.g. <c>replay</c>, <c>ssl</c>, <c>process</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Events the runner put on the bus.</summary>
    public required long Produced { get; init; }

    /// <summary>
    /// Runner-specific counts, e.g. <c>bad_lines</c> for a replay or <c>ring_full</c> for kernel-side losses.
    /// Every loss the runner knows of is here.
    /// </summary>
    public required IReadOnlyDictionary<string, long> Counters { get; init; }
}
