using System.Text.Json;

namespace AgentSight.Contracts;

/// <summary>The <c>data</c> part of an event.</summary>
/// <remarks>
/// Captured records the host produces have typed payloads (<see cref="TlsPayload"/>); everything else, including
/// what plugins produce, is a <see cref="JsonPayload"/>. Payloads write themselves as JSON; they are never stored
/// as JSON text. Once the event is shared with the sinks (<see cref="AgentEvent.MarkShared"/>) a payload is read-only:
/// a payload type of its own calls <see cref="ThrowIfShared"/> in every setter.
/// </remarks>
public abstract class EventPayload
{
    /// <summary>True once the event carrying the payload was shared with the sinks. Since 2.0.</summary>
    public bool IsShared { get; private set; }

    /// <summary>Writes the payload as one JSON value (usually an object).</summary>
    public abstract void WriteTo(Utf8JsonWriter writer);

    /// <summary>Throws <see cref="InvalidOperationException"/> when the payload is shared: call it before every change. Since 2.0.</summary>
    protected void ThrowIfShared()
    {
        if (IsShared)
        {
            throw new InvalidOperationException($"this {GetType().Name} belongs to an event shared with the sinks and is read-only");
        }
    }

    internal void MarkShared(bool concurrentReaders)
    {
        if (!IsShared)
        {
            IsShared = true;
        }
        if (concurrentReaders)
        {
            PrepareForConcurrentReads();
        }
    }

    /// <summary>Makes the payload safe to read from several threads at once; most payloads already are.</summary>
    internal virtual void PrepareForConcurrentReads()
    {
    }

    /// <summary>A copy that is not shared: the same values, deep where they could be changed.</summary>
    internal virtual EventPayload CopyUnshared()
    {
        var copy = (EventPayload)MemberwiseClone();
        copy.IsShared = false;
        return copy;
    }
}
