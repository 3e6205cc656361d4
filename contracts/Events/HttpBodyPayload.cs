using System.Text.Json;

namespace AgentSight.Contracts;

/// <summary>A piece of a streamed HTTP response body: the payload of <c>http_body</c> events.</summary>
/// <remarks>
/// The http analyzer sends streamed bodies (server-sent events, NDJSON) on piece by piece instead of buffering them;
/// the pieces are bytes, like <see cref="TlsPayload"/>, so a stream parser reads them without a text detour. JSON form:
/// <c>{"exchange_id":"…","conn_id":"0x…","offset":0,"data":"…","content_type":"text/event-stream","host":"…","path":"…"}</c>,
/// with <c>data</c> as text or <c>HEX:</c> like <see cref="TlsPayload"/> data.
/// </remarks>
public sealed class HttpBodyPayload : EventPayload
{
    /// <summary>Creates a body piece.</summary>
    public HttpBodyPayload(string exchangeId, string connectionId, long offset, ReadOnlyMemory<byte> bytes)
    {
        ExchangeId = exchangeId;
        ConnectionId = connectionId;
        Offset = offset;
        Bytes = bytes;
    }

    /// <summary>The exchange the body belongs to (<c>"&lt;pid&gt;:&lt;conn_id&gt;:&lt;n&gt;"</c>).</summary>
    public string ExchangeId { get; }

    /// <summary>The TLS connection, as <c>http</c> events spell it.</summary>
    public string ConnectionId { get; }

    /// <summary>Position of this piece in the decoded body.</summary>
    public long Offset { get; }

    /// <summary>The decoded bytes (no chunked framing, no content encoding). Redaction may replace them.</summary>
    public ReadOnlyMemory<byte> Bytes { get; set { ThrowIfShared(); field = value; } }

    /// <summary>The response's content type.</summary>
    public string? ContentType { get; init; }

    /// <summary>The request's host.</summary>
    public string? Host { get; init; }

    /// <summary>The request's path.</summary>
    public string? Path { get; init; }

    /// <inheritdoc />
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("exchange_id"u8, ExchangeId);
        writer.WriteString("conn_id"u8, ConnectionId);
        writer.WriteNumber("offset"u8, Offset);
        writer.WritePropertyName("data"u8);
        PayloadBytes.Write(writer, Bytes.Span);
        writer.WriteString("content_type"u8, ContentType);
        writer.WriteString("host"u8, Host);
        writer.WriteString("path"u8, Path);
        writer.WriteEndObject();
    }
}
