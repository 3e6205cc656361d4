using System.Text.Json;

namespace AgentSight.Contracts;

/// <summary>The <c>data</c> part of an event.</summary>
/// <remarks>
/// Captured records the host produces have typed payloads (<see cref="TlsPayload"/>); everything else, including
/// what plugins produce, is a <see cref="JsonPayload"/>. Payloads write themselves as JSON; they are never stored
/// as JSON text.
/// </remarks>
public abstract class EventPayload
{
    /// <summary>Writes the payload as one JSON value (usually an object).</summary>
    public abstract void WriteTo(Utf8JsonWriter writer);

    /// <summary>
    /// Makes the payload safe to read from several threads at once. The host calls this before handing an event to
    /// more than one sink. The default does nothing.
    /// </summary>
    public virtual void PrepareForSharing()
    {
    }
}
