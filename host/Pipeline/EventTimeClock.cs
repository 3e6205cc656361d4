using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>The replay clock: "now" is the newest event timestamp the runner has read.</summary>
internal sealed class EventTimeClock : IPipelineClock
{
    private long _now;

    public long Now => Volatile.Read(ref _now);

    public bool IsEventTime => true;

    /// <summary>Moves the clock forward to <paramref name="timestamp"/>; never backward.</summary>
    public void Advance(long timestamp)
    {
        var current = Volatile.Read(ref _now);
        while (timestamp > current)
        {
            var seen = Interlocked.CompareExchange(ref _now, timestamp, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}
