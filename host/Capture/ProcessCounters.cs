using AgentSight.Contracts;

namespace AgentSight.Host.Capture;

/// <summary>What the process decoder counts besides events.</summary>
internal sealed class ProcessCounters
{
    public Counter BadRecords { get; init; } = new("bad_records");
}
