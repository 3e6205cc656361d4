namespace AgentSight.Contracts;

/// <summary>One event on the bus: the envelope every runner, analyzer and sink shares.</summary>
/// <remarks>
/// <para>Serialized as one JSON object per line with the keys <c>timestamp</c>, <c>source</c>, <c>pid</c>, <c>tid</c>,
/// <c>comm</c> and <c>data</c> (see <see cref="AgentEventJson"/>), so the original tool's logs and ours can be read
/// by the same tools. The payload is kept as objects, never as JSON text, so no stage re-parses it.</para>
/// <para>An analyzer may change an event it owns. At the end of the chain the host marks it shared
/// (<see cref="MarkShared"/>) and hands sinks a <see cref="ReadOnlyEvent"/>, through which it cannot be changed; from
/// then on every change through this class or its payload throws <see cref="InvalidOperationException"/>, so an
/// analyzer that changes an event after emitting it fails at once rather than corrupting what a sink reads (since 2.0).</para>
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
    public long Timestamp { get; set { ThrowIfShared(); field = value; } }

    /// <summary>What produced the event (JSON key <c>source</c>).</summary>
    public string Source { get; set { ThrowIfShared(); field = value; } }

    /// <summary>Process id (JSON key <c>pid</c>).</summary>
    public int Pid { get; set { ThrowIfShared(); field = value; } }

    /// <summary>Thread id, 0 when unknown (JSON key <c>tid</c>).</summary>
    public int Tid { get; set { ThrowIfShared(); field = value; } }

    /// <summary>Process name (JSON key <c>comm</c>).</summary>
    public string Comm { get; set { ThrowIfShared(); field = value; } }

    /// <summary>The payload (JSON key <c>data</c>).</summary>
    public EventPayload Data { get; set { ThrowIfShared(); field = value; } }

    /// <summary>The payload's fields when it is a <see cref="JsonPayload"/>, otherwise null.</summary>
    /// <exception cref="InvalidOperationException">The event is shared: read it through <see cref="AsReadOnly"/>.</exception>
    public System.Text.Json.Nodes.JsonObject? Fields => (Data as JsonPayload)?.Fields;

    /// <summary>True once the host handed the event to the sinks (see <see cref="MarkShared"/>). Since 2.0.</summary>
    public bool IsShared { get; private set; }

    /// <summary>
    /// Marks the event and its payload read-only, as the host does before it hands the event to the sinks: from then on
    /// a change throws <see cref="InvalidOperationException"/>. Idempotent. Since 2.0.
    /// </summary>
    /// <param name="readers">How many sinks will read the event at once; with more than one, the payload is made safe
    /// to read from several threads.</param>
    public void MarkShared(int readers = 1)
    {
        if (IsShared && readers <= 1)
        {
            // Already read-only: no write, so the cache line the sinks read stays clean (an event sent again).
            return;
        }
        IsShared = true;
        Data.MarkShared(concurrentReaders: readers > 1);
    }

    /// <summary>
    /// The event as one NDJSON line ending with a line feed (<see cref="AgentEventJson"/>). A shared event is formatted
    /// once, and every sink that writes lines takes the same bytes: the file sink, the session store and the web UI
    /// each formatted every event themselves before, the largest part of their CPU. An unshared event may still
    /// change, so it is formatted on each call.
    /// </summary>
    internal ReadOnlyMemory<byte> JsonLine()
    {
        if (_line is { } line)
        {
            return line;
        }
        var formatted = EventLineFormatter.FormatToArray(this);
        if (!IsShared)
        {
            return formatted;
        }
        // Two sinks may format it at the same moment: both lines are the same, the first one kept wins.
        return Interlocked.CompareExchange(ref _line, formatted, null) ?? formatted;
    }

    private byte[]? _line;

    /// <summary>A view through which the event cannot be changed: what sinks get. Costs no copy. Since 2.0.</summary>
    public ReadOnlyEvent AsReadOnly() => new(this);

    /// <inheritdoc />
    public override string ToString() => $"{Source} {Comm}({Pid}) @{Timestamp}";

    private void ThrowIfShared()
    {
        if (IsShared)
        {
            throw new InvalidOperationException($"the {Source} event is shared with the sinks and read-only: copy it (ReadOnlyEvent.ToAgentEvent) to change it");
        }
    }
}
