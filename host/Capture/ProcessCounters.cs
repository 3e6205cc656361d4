using AgentSight.Contracts;

namespace AgentSight.Host.Capture;

/// <summary>What the process decoder counts besides events.</summary>
internal sealed class ProcessCounters
{
    public Counter BadRecords { get; init; } = new("bad_records");

    /// <summary>Processes the kernel stopped at their exec until the host had looked into their program (docs/CAPTURE.md, "Held at exec").</summary>
    public Counter HeldAtExec { get; init; } = new("held_at_exec");

    /// <summary>Processes the kernel stopped when they mapped a library with TLS until its probes were attached for them (scoped probes).</summary>
    public Counter HeldAtMap { get; init; } = new("held_at_map");

    /// <summary>Children forked by a probed process, stopped at their first connect() until their probes were attached (scoped probes).</summary>
    public Counter HeldAtConnect { get; init; } = new("held_at_connect");
}
