using AgentSight.Contracts;

namespace AgentSight.Contracts.Testing;

/// <summary>An <see cref="IEventOutput"/> that keeps what an analyzer emits, in order.</summary>
public sealed class ConformanceOutput : IEventOutput
{
    /// <summary>Every event emitted so far.</summary>
    public List<AgentEvent> Events { get; } = [];

    /// <inheritdoc />
    public void Emit(AgentEvent evt) => Events.Add(evt);
}
