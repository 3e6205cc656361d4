using AgentSight.Contracts;

namespace AgentSight.Host.Capture;

/// <summary>What the process decoder counts besides events.</summary>
internal sealed class ProcessCounters
{
    public Counter BadRecords { get; init; } = new("bad_records");

    /// <summary>Processes the kernel stopped at their exec until the host had looked into their program (docs/CAPTURE.md, "Held at exec").</summary>
    public Counter HeldAtExec { get; init; } = new("held_at_exec");
}
