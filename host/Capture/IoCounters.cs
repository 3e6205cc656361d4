using AgentSight.Contracts;

namespace AgentSight.Host.Capture;

/// <summary>What the io decoder knows about cuts and bad records, as runner counters.</summary>
internal sealed class IoCounters
{
    /// <summary>Calls cut by the per-call cap (or a process's stdio limit): their events carry <c>bytes_lost</c>.</summary>
    public Counter TruncatedCalls { get; init; } = new("truncated_calls");

    /// <summary>Calls whose later pieces never arrived (the ring was full): sent with what did arrive.</summary>
    public Counter IncompleteCalls { get; init; } = new("incomplete_calls");

    public Counter BadRecords { get; init; } = new("bad_records");
}
