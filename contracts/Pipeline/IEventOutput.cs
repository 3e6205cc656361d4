namespace AgentSight.Contracts;

/// <summary>Where an analyzer puts the events that go on to the next stage.</summary>
public interface IEventOutput
{
    /// <summary>Sends <paramref name="evt"/> on, after the events emitted before it.</summary>
    void Emit(AgentEvent evt);
}
