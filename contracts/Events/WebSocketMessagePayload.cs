using System.Text.Json;

namespace AgentSight.Contracts;

/// <summary>One WebSocket message or control frame: the payload of <c>websocket</c> events (contracts 1.5).</summary>
/// <remarks>
/// Bytes rather than a string, like <see cref="HttpBodyPayload"/>, so a reader of model traffic parses each message
/// once, straight from UTF-8. JSON form: <c>{"exchange_id":"…","conn_id":"0x…","role":"client","direction":"client",
/// "opcode":"text","text":"…","size":42,"compressed":true,"compressed_size":30,"truncated":false,"frames":1,
/// "start_ns":…,"end_ns":…}</c>, and <c>close_code</c> for a close. <c>text</c> is written like <see cref="TlsPayload"/>
/// data (text, or <c>HEX:</c>), or null for binary messages, whose bytes are counted, not kept.
/// </remarks>
public sealed class WebSocketMessagePayload : EventPayload
{
    /// <summary>Creates a message payload.</summary>
    public WebSocketMessagePayload(string exchangeId, string connectionId, bool fromClient, string opcode)
    {
        ExchangeId = exchangeId;
        ConnectionId = connectionId;
        FromClient = fromClient;
        Opcode = opcode;
    }

    /// <summary>The upgrade's exchange (the 101 response's <c>http</c> event).</summary>
    public string ExchangeId { get; }

    /// <summary>The connection, as <c>http</c> events spell it.</summary>
    public string ConnectionId { get; }

    /// <summary>True when the traced process is the connection's server, false when it is the client.</summary>
    public bool TracedIsServer { get; init; }

    /// <summary>Sent by the client (else by the server).</summary>
    public bool FromClient { get; }

    /// <summary><c>text</c>, <c>binary</c>, <c>close</c>, <c>ping</c> or <c>pong</c>.</summary>
    public string Opcode { get; }

    /// <summary>True when <see cref="Text"/> holds the message (text messages and control payloads), false for binary.</summary>
    public bool HasText { get; init; }

    /// <summary>The message's bytes after decompression (possibly cut, see <see cref="Truncated"/>). Redaction may replace them.</summary>
    public ReadOnlyMemory<byte> Text { get; set { ThrowIfShared(); field = value; } }

    /// <summary>The message's size after decompression, null when it could not be known.</summary>
    public long? Size { get; init; }

    /// <summary>The size on the wire when the message was compressed (permessage-deflate), else null.</summary>
    public long? CompressedSize { get; init; }

    /// <summary>The message was cut (a cap, or bytes lost in capture).</summary>
    public bool Truncated { get; init; }

    /// <summary>How many frames carried it.</summary>
    public int Frames { get; init; }

    /// <summary>When its first frame was seen (epoch ns).</summary>
    public long StartNs { get; init; }

    /// <summary>When its last frame was seen (epoch ns).</summary>
    public long EndNs { get; init; }

    /// <summary>A close frame's status code, when it had one.</summary>
    public int? CloseCode { get; init; }

    /// <inheritdoc />
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("exchange_id"u8, ExchangeId);
        writer.WriteString("conn_id"u8, ConnectionId);
        writer.WriteString("role"u8, TracedIsServer ? "server"u8 : "client"u8);
        writer.WriteString("direction"u8, FromClient ? "client"u8 : "server"u8);
        writer.WriteString("opcode"u8, Opcode);
        writer.WritePropertyName("text"u8);
        if (HasText)
        {
            PayloadBytes.Write(writer, Text.Span);
        }
        else
        {
            writer.WriteNullValue();
        }
        WriteNumberOrNull(writer, "size"u8, Size);
        writer.WriteBoolean("compressed"u8, CompressedSize is not null);
        WriteNumberOrNull(writer, "compressed_size"u8, CompressedSize);
        writer.WriteBoolean("truncated"u8, Truncated);
        writer.WriteNumber("frames"u8, Frames);
        writer.WriteNumber("start_ns"u8, StartNs);
        writer.WriteNumber("end_ns"u8, EndNs);
        if (Opcode == "close")
        {
            WriteNumberOrNull(writer, "close_code"u8, CloseCode);
        }
        writer.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
