namespace AgentSight.Contracts;

/// <summary>A <see cref="StdioPayload"/> read through a view that cannot change it: bytes written or read on a pipe, tty or socket pair (<c>stdio</c> events), as sinks see it. Since 2.0.</summary>
/// <remarks>A struct over the payload: no copy, no allocation. Bytes are <see cref="ReadOnlyMemory{T}"/>.</remarks>
public readonly struct ReadOnlyStdioPayload
{
    private readonly StdioPayload _payload;

    /// <summary>A view of <paramref name="payload"/> (not copied).</summary>
    public ReadOnlyStdioPayload(StdioPayload payload) => _payload = payload ?? throw new ArgumentNullException(nameof(payload));

    /// <inheritdoc cref="StdioPayload.Direction"/>
    public IoDirection Direction => _payload.Direction;

    /// <inheritdoc cref="StdioPayload.Fd"/>
    public int Fd => _payload.Fd;

    /// <inheritdoc cref="StdioPayload.Kind"/>
    public string? Kind => _payload.Kind;

    /// <inheritdoc cref="StdioPayload.StreamId"/>
    public ulong StreamId => _payload.StreamId;

    /// <inheritdoc cref="StdioPayload.PeerPid"/>
    public int? PeerPid => _payload.PeerPid;

    /// <inheritdoc cref="StdioPayload.Bytes"/>
    public ReadOnlyMemory<byte> Bytes => _payload.Bytes;

    /// <inheritdoc cref="StdioPayload.Length"/>
    public long Length => _payload.Length;

    /// <inheritdoc cref="StdioPayload.BytesLost"/>
    public long BytesLost => _payload.BytesLost;

    /// <inheritdoc cref="StdioPayload.Truncated"/>
    public bool Truncated => _payload.Truncated;

    /// <inheritdoc cref="StdioPayload.Function"/>
    public string Function => _payload.Function;

    /// <summary>Writes the payload's JSON form.</summary>
    public void WriteTo(System.Text.Json.Utf8JsonWriter writer) => _payload.WriteTo(writer);
}
