namespace AgentSight.Contracts;

/// <summary>A <see cref="WebSocketMessagePayload"/> read through a view that cannot change it: one WebSocket message or control frame (<c>websocket</c> events), as sinks see it. Since 2.0.</summary>
/// <remarks>A struct over the payload: no copy, no allocation. Bytes are <see cref="ReadOnlyMemory{T}"/>.</remarks>
public readonly struct ReadOnlyWebSocketMessagePayload
{
    private readonly WebSocketMessagePayload _payload;

    /// <summary>A view of <paramref name="payload"/> (not copied).</summary>
    public ReadOnlyWebSocketMessagePayload(WebSocketMessagePayload payload) => _payload = payload ?? throw new ArgumentNullException(nameof(payload));

    /// <inheritdoc cref="WebSocketMessagePayload.ExchangeId"/>
    public string ExchangeId => _payload.ExchangeId;

    /// <inheritdoc cref="WebSocketMessagePayload.ConnectionId"/>
    public string ConnectionId => _payload.ConnectionId;

    /// <inheritdoc cref="WebSocketMessagePayload.TracedIsServer"/>
    public bool TracedIsServer => _payload.TracedIsServer;

    /// <inheritdoc cref="WebSocketMessagePayload.FromClient"/>
    public bool FromClient => _payload.FromClient;

    /// <inheritdoc cref="WebSocketMessagePayload.Opcode"/>
    public string Opcode => _payload.Opcode;

    /// <inheritdoc cref="WebSocketMessagePayload.HasText"/>
    public bool HasText => _payload.HasText;

    /// <inheritdoc cref="WebSocketMessagePayload.Text"/>
    public ReadOnlyMemory<byte> Text => _payload.Text;

    /// <inheritdoc cref="WebSocketMessagePayload.Size"/>
    public long? Size => _payload.Size;

    /// <inheritdoc cref="WebSocketMessagePayload.CompressedSize"/>
    public long? CompressedSize => _payload.CompressedSize;

    /// <inheritdoc cref="WebSocketMessagePayload.Truncated"/>
    public bool Truncated => _payload.Truncated;

    /// <inheritdoc cref="WebSocketMessagePayload.Frames"/>
    public int Frames => _payload.Frames;

    /// <inheritdoc cref="WebSocketMessagePayload.StartNs"/>
    public long StartNs => _payload.StartNs;

    /// <inheritdoc cref="WebSocketMessagePayload.EndNs"/>
    public long EndNs => _payload.EndNs;

    /// <inheritdoc cref="WebSocketMessagePayload.CloseCode"/>
    public int? CloseCode => _payload.CloseCode;

    /// <summary>Writes the payload's JSON form.</summary>
    public void WriteTo(System.Text.Json.Utf8JsonWriter writer) => _payload.WriteTo(writer);
}
