namespace AgentSight.Contracts;

/// <summary>A <see cref="TlsPayload"/> read through a view that cannot change it: plaintext captured at a TLS library call (<c>ssl</c> events), as sinks see it. Since 2.0.</summary>
/// <remarks>A struct over the payload: no copy, no allocation. Bytes are <see cref="ReadOnlyMemory{T}"/>.</remarks>
public readonly struct ReadOnlyTlsPayload
{
    private readonly TlsPayload _payload;

    /// <summary>A view of <paramref name="payload"/> (not copied).</summary>
    public ReadOnlyTlsPayload(TlsPayload payload) => _payload = payload ?? throw new ArgumentNullException(nameof(payload));

    /// <inheritdoc cref="TlsPayload.Direction"/>
    public TlsDirection Direction => _payload.Direction;

    /// <inheritdoc cref="TlsPayload.Bytes"/>
    public ReadOnlyMemory<byte> Bytes => _payload.Bytes;

    /// <inheritdoc cref="TlsPayload.HasBytes"/>
    public bool HasBytes => _payload.HasBytes;

    /// <inheritdoc cref="TlsPayload.Length"/>
    public long Length => _payload.Length;

    /// <inheritdoc cref="TlsPayload.BytesLost"/>
    public long BytesLost => _payload.BytesLost;

    /// <inheritdoc cref="TlsPayload.Truncated"/>
    public bool Truncated => _payload.Truncated;

    /// <inheritdoc cref="TlsPayload.ConnectionId"/>
    public ulong ConnectionId => _payload.ConnectionId;

    /// <inheritdoc cref="TlsPayload.Uid"/>
    public uint? Uid => _payload.Uid;

    /// <inheritdoc cref="TlsPayload.LatencyNs"/>
    public long LatencyNs => _payload.LatencyNs;

    /// <inheritdoc cref="TlsPayload.Library"/>
    public string? Library => _payload.Library;

    /// <inheritdoc cref="TlsPayload.Fd"/>
    public int? Fd => _payload.Fd;

    /// <inheritdoc cref="TlsPayload.Function"/>
    public string Function => _payload.Function;

    /// <summary>Writes the payload's JSON form.</summary>
    public void WriteTo(System.Text.Json.Utf8JsonWriter writer) => _payload.WriteTo(writer);
}
