using AgentSight.Contracts;

namespace AgentSight.Traffic;

/// <summary>
/// A stretch of agent activity — one call, an agent loop on a kept-alive connection, or two calls in parallel —
/// with its events in timestamp order. Episodes follow each other in time.
/// </summary>
internal sealed class SyntheticEpisode
{
    public required IReadOnlyList<SyntheticCall> Calls { get; init; }

    public required IReadOnlyList<AgentEvent> Events { get; init; }

    /// <summary>For each event, the <see cref="SyntheticCall.Index"/> of the call it belongs to.</summary>
    public required IReadOnlyList<int> CallIndexes { get; init; }
}
