namespace AgentSight.Host.Runners.Replay;

/// <summary>What a recorded timestamp turned out to be.</summary>
internal enum TimestampUnit
{
    /// <summary>Nanoseconds since the Unix epoch (ours).</summary>
    EpochNanoseconds,

    /// <summary>Milliseconds since the Unix epoch (the original FakeRunner).</summary>
    EpochMilliseconds,

    /// <summary>Nanoseconds since boot (the original eBPF programs: <c>bpf_ktime_get_ns</c>).</summary>
    BootNanoseconds,
}
