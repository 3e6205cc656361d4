namespace AgentSight.Host.Capture;

/// <summary>
/// Turns the programs' timestamps (CLOCK_BOOTTIME, ns since boot, suspend included) into wall-clock epoch ns.
/// </summary>
/// <remarks>
/// The offset is CLOCK_REALTIME − CLOCK_BOOTTIME, read as a realtime sample between two boottime samples (the
/// tightest of a few tries), and read again every few seconds so that a clock step (NTP, a manual change) shows in
/// later events. Between readings both clocks advance together, so the offset holds.
/// </remarks>
internal sealed class BootClock
{
    private static readonly long RefreshTicks = TimeSpan.FromSeconds(5).Ticks;
    private long _offset;
    private long _measuredAt;

    public BootClock() => Refresh();

    /// <summary>Realtime minus boottime, in ns.</summary>
    public long Offset => Volatile.Read(ref _offset);

    /// <summary>Epoch ns of a boot-time reading.</summary>
    public long ToEpoch(ulong bootNs) => (long)bootNs + Offset;

    /// <summary>Measures the offset again when the last measurement is older than a few seconds.</summary>
    public void RefreshIfDue()
    {
        if (Environment.TickCount64 * TimeSpan.TicksPerMillisecond - Volatile.Read(ref _measuredAt) >= RefreshTicks)
        {
            Refresh();
        }
    }

    public void Refresh()
    {
        var bestWidth = long.MaxValue;
        var best = 0L;
        for (var i = 0; i < 5; i++)
        {
            var before = Posix.Now(Posix.ClockBoottime);
            var real = Posix.Now(Posix.ClockRealtime);
            var after = Posix.Now(Posix.ClockBoottime);
            if (after - before < bestWidth)
            {
                bestWidth = after - before;
                best = real - (before + ((after - before) / 2));
            }
        }
        Volatile.Write(ref _offset, best);
        Volatile.Write(ref _measuredAt, Environment.TickCount64 * TimeSpan.TicksPerMillisecond);
    }
}
