namespace AgentSight.Contracts;

/// <summary>The pipeline's notion of "now".</summary>
/// <remarks>
/// During live capture this is the wall clock. During a replay it is event time: the timestamp of the newest event
/// read so far, so that timeouts behave the same whether a recording is replayed fast or slowly.
/// </remarks>
public interface IPipelineClock
{
    /// <summary>Now, in nanoseconds since the Unix epoch.</summary>
    long Now { get; }

    /// <summary>True when <see cref="Now"/> follows the events (replay) rather than the wall clock.</summary>
    bool IsEventTime { get; }
}
