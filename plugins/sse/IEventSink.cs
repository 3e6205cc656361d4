namespace AgentSight.Plugins.Sse;

/// <summary>Receives the events a stream parser dispatches.</summary>
internal interface IEventSink
{
    /// <summary>
    /// One event. <paramref name="data"/> is valid only during the call; <paramref name="eventType"/> is null for the
    /// default type (and for NDJSON lines); <paramref name="cut"/> is true when the data was cut at the line cap or
    /// by the end of the stream.
    /// </summary>
    void OnEvent(string? eventType, ReadOnlyMemory<byte> data, string? id, bool cut);

    /// <summary>A comment line (keep-alive).</summary>
    void OnComment();
}
