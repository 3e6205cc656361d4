using AgentSight.Contracts;

namespace AgentSight.Traffic;

/// <summary>Everything one seed generates, at once: the events in order and what each call was.</summary>
internal sealed class SyntheticRecording
{
    public required IReadOnlyList<AgentEvent> Events { get; init; }

    public required IReadOnlyList<SyntheticCall> Calls { get; init; }
}
