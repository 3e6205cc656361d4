using System.Text.Json;

namespace AgentSight.Contracts;

/// <summary>An event read through a view that cannot change it: what a sink gets (<see cref="ISink.Write"/>). Since 2.0.</summary>
/// <remarks>
/// <para>The same event goes to every sink, so no sink may change it. This view has get-only envelope fields, the JSON
/// fields as a <see cref="ReadOnlyJson"/>, and the typed payloads as read-only views with their bytes as
/// <see cref="ReadOnlyMemory{T}"/>: no member hands out anything that can change the event. It is a struct over the
/// event, so it costs neither a copy nor an allocation. Like OpenTelemetry's pdata, the host also marks the event
/// shared (<see cref="AgentEvent.MarkShared"/>), so a change through a reference kept elsewhere throws.</para>
/// <para>A sink that wants an event of its own to change (to rewrite fields before export) takes
/// <see cref="ToAgentEvent"/>, a deep copy.</para>
/// </remarks>
public readonly struct ReadOnlyEvent
{
    private readonly AgentEvent _event;

    /// <summary>A view of <paramref name="evt"/> (not copied; see <see cref="AgentEvent.AsReadOnly"/>).</summary>
    public ReadOnlyEvent(AgentEvent evt) => _event = evt ?? throw new ArgumentNullException(nameof(evt));

    /// <summary>A view of <paramref name="evt"/>, so an <see cref="AgentEvent"/> goes wherever a view is asked for.</summary>
    public static implicit operator ReadOnlyEvent(AgentEvent evt) => new(evt);

    /// <inheritdoc cref="AgentEvent.Timestamp"/>
    public long Timestamp => _event.Timestamp;

    /// <inheritdoc cref="AgentEvent.Source"/>
    public string Source => _event.Source;

    /// <inheritdoc cref="AgentEvent.Pid"/>
    public int Pid => _event.Pid;

    /// <inheritdoc cref="AgentEvent.Tid"/>
    public int Tid => _event.Tid;

    /// <inheritdoc cref="AgentEvent.Comm"/>
    public string Comm => _event.Comm;

    /// <summary>The fields of a <see cref="JsonPayload"/>; <see cref="JsonValueKind.Undefined"/> for any other payload.</summary>
    public ReadOnlyJson Fields => _event.Data is JsonPayload json ? json.ReadOnlyFields : default;

    /// <summary>True when the payload is a <see cref="JsonPayload"/> (its fields are <see cref="Fields"/>).</summary>
    public bool HasFields => _event.Data is JsonPayload;

    /// <summary>The payload when it is a <see cref="TlsPayload"/> (<c>ssl</c>, <c>socket</c>), otherwise null.</summary>
    public ReadOnlyTlsPayload? Tls => _event.Data is TlsPayload tls ? new ReadOnlyTlsPayload(tls) : null;

    /// <summary>The payload when it is a <see cref="HttpBodyPayload"/> (<c>http_body</c>), otherwise null.</summary>
    public ReadOnlyHttpBodyPayload? HttpBody => _event.Data is HttpBodyPayload body ? new ReadOnlyHttpBodyPayload(body) : null;

    /// <summary>The payload when it is a <see cref="StdioPayload"/> (<c>stdio</c>), otherwise null.</summary>
    public ReadOnlyStdioPayload? Stdio => _event.Data is StdioPayload stdio ? new ReadOnlyStdioPayload(stdio) : null;

    /// <summary>The payload when it is a <see cref="WebSocketMessagePayload"/> (<c>websocket</c>), otherwise null.</summary>
    public ReadOnlyWebSocketMessagePayload? WebSocketMessage =>
        _event.Data is WebSocketMessagePayload message ? new ReadOnlyWebSocketMessagePayload(message) : null;

    /// <summary>The payload's type name, for a sink that describes payloads it does not know.</summary>
    public string PayloadType => _event.Data.GetType().Name;

    /// <summary>The underlying event, for the contracts' own writers.</summary>
    internal AgentEvent Event => _event;

    /// <summary>
    /// The event as one NDJSON line, ending with a line feed: formatted once per event and shared by every sink that
    /// asks (do not format it yourself to write JSON lines). Since 2.0.
    /// </summary>
    public ReadOnlyMemory<byte> JsonLine => _event.JsonLine();

    /// <summary>Writes the payload (the event's <c>data</c>) as one JSON value.</summary>
    public void WriteDataTo(Utf8JsonWriter writer) => _event.Data.WriteTo(writer);

    /// <summary>Writes the whole event as <see cref="AgentEventJson"/> does.</summary>
    public void WriteTo(Utf8JsonWriter writer) => AgentEventJson.Write(writer, _event);

    /// <summary>A deep copy the caller owns and may change (not shared); the original stays as it is.</summary>
    public AgentEvent ToAgentEvent() =>
        new(_event.Timestamp, _event.Source, _event.Pid, _event.Tid, _event.Comm, _event.Data.CopyUnshared());

    /// <inheritdoc />
    public override string ToString() => _event.ToString();
}
