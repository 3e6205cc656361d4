using AgentSight.Contracts;
using AgentSight.Host.Runners;

namespace AgentSight.Host.Pipeline;

/// <summary>The pipeline's entrance, shared by every runner.</summary>
internal sealed class PipelineInput
{
    private readonly IStageTarget _first;

    public PipelineInput(IStageTarget first) => _first = first;

    /// <summary>
    /// Puts <paramref name="evt"/> on the bus and counts it for <paramref name="metrics"/>. Waits while the first
    /// queue is full under the <c>block</c> policy: that is the backpressure runners feel.
    /// </summary>
    public ValueTask WriteAsync(AgentEvent evt, RunnerMetrics metrics)
    {
        metrics.AddProduced();
        return _first.WriteAsync(evt);
    }

    /// <summary>Called by the host once every runner has returned.</summary>
    internal void Complete() => _first.Complete();
}
