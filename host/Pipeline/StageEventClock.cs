using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>
/// A stage's clock during replay: the newest timestamp this stage has seen. Each stage keeps its own, because the
/// runner reads ahead of the stages; a shared clock would expire a stage's state before its events arrived.
/// </summary>
internal sealed class StageEventClock : IPipelineClock
{
    private long _now;

    public long Now => Volatile.Read(ref _now);

    public bool IsEventTime => true;

    /// <summary>Called by the stage's own task for each event.</summary>
    public void Observe(long timestamp)
    {
        if (timestamp > _now)
        {
            Volatile.Write(ref _now, timestamp);
        }
    }
}
