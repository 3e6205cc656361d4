namespace AgentSight.Contracts;

/// <summary>A <see cref="HttpBodyPayload"/> read through a view that cannot change it: a piece of a streamed HTTP response body (<c>http_body</c> events), as sinks see it. Since 2.0.</summary>
/// <remarks>A struct over the payload: no copy, no allocation. Bytes are <see cref="ReadOnlyMemory{T}"/>.</remarks>
public readonly struct ReadOnlyHttpBodyPayload
{
    private readonly HttpBodyPayload _payload;

    /// <summary>A view of <paramref name="payload"/> (not copied).</summary>
    public ReadOnlyHttpBodyPayload(HttpBodyPayload payload) => _payload = payload ?? throw new ArgumentNullException(nameof(payload));

    /// <inheritdoc cref="HttpBodyPayload.ExchangeId"/>
    public string ExchangeId => _payload.ExchangeId;

    /// <inheritdoc cref="HttpBodyPayload.ConnectionId"/>
    public string ConnectionId => _payload.ConnectionId;

    /// <inheritdoc cref="HttpBodyPayload.Offset"/>
    public long Offset => _payload.Offset;

    /// <inheritdoc cref="HttpBodyPayload.Bytes"/>
    public ReadOnlyMemory<byte> Bytes => _payload.Bytes;

    /// <inheritdoc cref="HttpBodyPayload.ContentType"/>
    public string? ContentType => _payload.ContentType;

    /// <inheritdoc cref="HttpBodyPayload.Host"/>
    public string? Host => _payload.Host;

    /// <inheritdoc cref="HttpBodyPayload.Path"/>
    public string? Path => _payload.Path;

    /// <summary>Writes the payload's JSON form.</summary>
    public void WriteTo(System.Text.Json.Utf8JsonWriter writer) => _payload.WriteTo(writer);
}
