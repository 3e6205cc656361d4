using AgentSight.Contracts;

namespace AgentSight.Host.Capture;

/// <summary>What the TLS decoder knows about losses and cuts, as runner counters.</summary>
internal sealed class TlsCounters
{
    public Counter TruncatedCalls { get; init; } = new("truncated_calls");

    public Counter TruncatedBytes { get; init; } = new("truncated_bytes");

    /// <summary>Calls whose later pieces never arrived (the ring was full): sent with what did arrive.</summary>
    public Counter IncompleteCalls { get; init; } = new("incomplete_calls");

    public Counter BadRecords { get; init; } = new("bad_records");

    /// <summary>One-way (AEAD) records whose socket link never came: joined by their context alone.</summary>
    public Counter UnjoinedRecords { get; init; } = new("unjoined_records");
}
