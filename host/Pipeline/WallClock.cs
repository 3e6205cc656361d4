using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>The live clock: the wall clock of a <see cref="TimeProvider"/>.</summary>
internal sealed class WallClock(TimeProvider time) : IPipelineClock
{
    public TimeProvider Time { get; } = time;

    public long Now => (Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    public bool IsEventTime => false;
}
