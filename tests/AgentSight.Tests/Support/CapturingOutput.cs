using AgentSight.Contracts;

namespace AgentSight.Tests.Support;

/// <summary>An <see cref="IEventOutput"/> that keeps what an analyzer emits.</summary>
public sealed class CapturingOutput : IEventOutput
{
    public List<AgentEvent> Events { get; } = [];

    public void Emit(AgentEvent evt) => Events.Add(evt);
}
