namespace AgentSight.Contracts;

/// <summary>One event on the bus: the envelope every runner, analyzer and sink shares.</summary>
/// <remarks>
/// Serialized as one JSON object per line with the keys <c>timestamp</c>, <c>source</c>, <c>pid</c>, <c>tid</c>,
/// <c>comm</c> and <c>data</c> (see <see cref="AgentEventJson"/>), so the original tool's logs and ours can be read
/// by the same tools. The payload is kept as objects, never as JSON text, so no stage re-parses it.
/// An analyzer may change an event it owns; once an event reaches the sinks it is shared and read-only.
/// </remarks>
public sealed class AgentEvent
{
    /// <summary>Creates an event.</summary>
    /// <param name="timestamp">Wall-clock time in nanoseconds since the Unix epoch.</param>
    /// <param name="source">What produced the event, e.g. <c>ssl</c>, <c>process</c>, <c>http</c> (see <see cref="EventSources"/>).</param>
    /// <param name="pid">Process id (thread-group id) the event concerns.</param>
    /// <param name="tid">Thread id, or 0 when unknown.</param>
    /// <param name="comm">Process name (the kernel's 15-character comm), or empty when unknown.</param>
    /// <param name="data">The payload.</param>
    public AgentEvent(long timestamp, string source, int pid, int tid, string comm, EventPayload data)
    {
        Timestamp = timestamp;
        Source = source;
        Pid = pid;
        Tid = tid;
        Comm = comm;
        Data = data;
    }

    /// <summary>Wall-clock time in nanoseconds since the Unix epoch (JSON key <c>timestamp</c>).</summary>
    public long Timestamp { get; set; }

    /// <summary>What produced the event (JSON key <c>source</c>).</summary>
    public string Source { get; set; }

    /// <summary>Process id (JSON key <c>pid</c>).</summary>
    public int Pid { get; set; }

    /// <summary>Thread id, 0 when unknown (JSON key <c>tid</c>).</summary>
    public int Tid { get; set; }

    /// <summary>Process name (JSON key <c>comm</c>).</summary>
    public string Comm { get; set; }

    /// <summary>The payload (JSON key <c>data</c>).</summary>
    public EventPayload Data { get; set; }

    /// <summary>The payload's fields when it is a <see cref="JsonPayload"/>, otherwise null.</summary>
    public System.Text.Json.Nodes.JsonObject? Fields => (Data as JsonPayload)?.Fields;

    /// <inheritdoc />
    public override string ToString() => $"{Source} {Comm}({Pid}) @{Timestamp}";
}
