namespace AgentSight.Host.Runners.Replay;

/// <summary>How the replay runner reads the <c>timestamp</c> of each line.</summary>
/// <remarks>
/// The original collector mixed units: its eBPF events carry nanoseconds since boot, its FakeRunner events epoch
/// milliseconds. Our own recordings carry epoch nanoseconds.
/// </remarks>
internal enum ReplayTimestampMode
{
    /// <summary>
    /// Per line: at least 1e17 is epoch nanoseconds; an original FakeRunner line (ssl data whose <c>timestamp_ns</c>
    /// is the timestamp × 1e6) is epoch milliseconds; anything else is nanoseconds since boot.
    /// </summary>
    Auto,

    /// <summary>Epoch nanoseconds, used as they are.</summary>
    Ns,

    /// <summary>Epoch milliseconds, multiplied by 1e6.</summary>
    Ms,

    /// <summary>Nanoseconds since boot, moved to the wall clock by adding the boot time.</summary>
    Boot,
}
