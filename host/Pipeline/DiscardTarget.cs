using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>The end of a chain with no sink enabled: events are processed, then let go.</summary>
internal sealed class DiscardTarget : IStageTarget
{
    public static readonly DiscardTarget Instance = new();

    public ValueTask WriteAsync(AgentEvent evt) => default;

    public void Complete()
    {
    }
}
