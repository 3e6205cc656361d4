using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>Where a stage (or a runner) hands its events: the next stage's queue, or the sinks.</summary>
internal interface IStageTarget
{
    /// <summary>Hands one event on. Completes synchronously unless a <c>block</c> queue is full.</summary>
    ValueTask WriteAsync(AgentEvent evt);

    /// <summary>Says that no more events will come.</summary>
    void Complete();
}
