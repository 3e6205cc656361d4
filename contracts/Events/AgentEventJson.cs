using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Contracts;

/// <summary>The NDJSON form of events: one JSON object per line.</summary>
/// <remarks>
/// Written keys, in order: <c>timestamp</c>, <c>source</c>, <c>pid</c>, <c>tid</c>, <c>comm</c>, <c>data</c>.
/// Non-ASCII text is written as is (UTF-8), control characters are escaped. <see cref="TryParse"/> reads this form
/// and also the original tool's collector lines (sorted keys, no <c>tid</c>, <c>ssl</c> data with the text in
/// <c>data.data</c>).
/// </remarks>
public static class AgentEventJson
{
    /// <summary>Writer options for event lines: compact, non-ASCII kept, control characters escaped.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };

    /// <summary>Writes one event as a JSON object (without the line feed).</summary>
    public static void Write(Utf8JsonWriter writer, AgentEvent evt)
    {
        writer.WriteStartObject();
        writer.WriteNumber("timestamp"u8, evt.Timestamp);
        writer.WriteString("source"u8, evt.Source);
        writer.WriteNumber("pid"u8, evt.Pid);
        writer.WriteNumber("tid"u8, evt.Tid);
        writer.WriteString("comm"u8, evt.Comm);
        writer.WritePropertyName("data"u8);
        evt.Data.WriteTo(writer);
        writer.WriteEndObject();
    }

    /// <summary>Writes one event, read through a sink's view, as a JSON object (without the line feed). Since 2.0.</summary>
    public static void Write(Utf8JsonWriter writer, ReadOnlyEvent evt) => Write(writer, evt.Event);

    /// <summary>The event as one line of JSON text (without the line feed). Convenient, not for hot paths. Since 2.0.</summary>
    public static string ToJson(ReadOnlyEvent evt) => ToJson(evt.Event);

    /// <summary>The event as one line of JSON text (without the line feed). Convenient, not for hot paths.</summary>
    public static string ToJson(AgentEvent evt)
    {
        using var formatter = new EventLineFormatter();
        var line = formatter.Format(evt).Span;
        return System.Text.Encoding.UTF8.GetString(line[..^1]);
    }

    /// <summary>Parses one event line (ours or the original tool's collector form).</summary>
    /// <param name="line">The line's UTF-8 bytes, without the line feed.</param>
    /// <param name="evt">The event, when the line is one.</param>
    /// <param name="error">Why the line is not an event, otherwise null.</param>
    public static bool TryParse(ReadOnlySpan<byte> line, [NotNullWhen(true)] out AgentEvent? evt, [NotNullWhen(false)] out string? error)
    {
        evt = null;
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line, NodeOptions, DocumentOptions);
        }
        catch (JsonException ex)
        {
            error = $"invalid JSON: {Describe(ex)}";
            return false;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // Duplicate keys, lone surrogates or invalid UTF-8 inside strings surface from the node model this way.
            error = $"invalid JSON: {ex.Message}";
            return false;
        }
        if (node is not JsonObject root)
        {
            error = "not a JSON object";
            return false;
        }
        try
        {
            return TryFromObject(root, out evt, out error);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            error = $"invalid JSON: {ex.Message}";
            return false;
        }
    }

    /// <summary>Builds an event from a parsed envelope object (consumes <paramref name="root"/>'s <c>data</c>).</summary>
    public static bool TryFromObject(JsonObject root, [NotNullWhen(true)] out AgentEvent? evt, [NotNullWhen(false)] out string? error)
    {
        evt = null;
        if (!TryGetInt64(root, "timestamp", out var timestamp, out error, required: true))
        {
            return false;
        }
        if (root["source"] is not JsonValue sourceValue || !sourceValue.TryGetValue(out string? source) || source.Length == 0)
        {
            error = "missing or empty \"source\"";
            return false;
        }
        if (!TryGetInt64(root, "pid", out var pid, out error) || !TryGetInt64(root, "tid", out var tid, out error))
        {
            return false;
        }
        var comm = root["comm"] switch
        {
            null => string.Empty,
            JsonValue value when value.TryGetValue(out string? text) => text,
            _ => null,
        };
        if (comm is null)
        {
            error = "\"comm\" is not a string";
            return false;
        }
        if (root["data"] is not JsonObject data)
        {
            error = "missing \"data\" object";
            return false;
        }
        root.Remove("data");

        EventPayload payload;
        if (source == EventSources.Ssl || source == EventSources.Socket)
        {
            // An ssl event is TLS data or nothing: without its function it would travel as an event of no known shape.
            if (!TryReadTls(data, out var tls, out var dataTid, out error))
            {
                error ??= data["function"] is null
                    ? "ssl \"data\" has no \"function\" (READ/RECV, WRITE/SEND or HANDSHAKE)"
                    : "ssl \"data.function\" is not a string";
                return false;
            }
            payload = tls;
            if (tid == 0)
            {
                tid = dataTid;
            }
        }
        else if (source == EventSources.HttpBody && TryReadHttpBody(data) is { } body)
        {
            payload = body;
        }
        else if (source == EventSources.Stdio && TryReadStdio(data) is { } stdio)
        {
            payload = stdio;
        }
        else if (source == EventSources.WebSocket && TryReadWebSocketMessage(data) is { } message)
        {
            payload = message;
        }
        else
        {
            payload = new JsonPayload(data);
        }
        evt = new AgentEvent(timestamp, source, (int)pid, (int)tid, comm, payload);
        return true;
    }

    /// <summary>
    /// Reads an <c>ssl</c> data object (ours, the collector's or sslsniff's raw line) as a <see cref="TlsPayload"/>.
    /// Returns false with a null error when the object is not TLS data at all (it has no <c>function</c>);
    /// <see cref="TryFromObject"/> then refuses the line.
    /// </summary>
    public static bool TryReadTls(JsonObject data, [NotNullWhen(true)] out TlsPayload? payload, out long tid, out string? error)
    {
        payload = null;
        tid = 0;
        error = null;
        if (data["function"] is not JsonValue functionValue || !functionValue.TryGetValue(out string? function))
        {
            return false;
        }
        if (!TlsPayload.TryParseFunction(function, out var direction))
        {
            error = $"unknown ssl function \"{function}\"";
            return false;
        }
        if (!TryGetInt64(data, "len", out var length, out error) || !TryGetInt64(data, "tid", out tid, out error)
            || !TryGetInt64(data, "bytes_lost", out var bytesLost, out error) || !TryGetInt64(data, "uid", out var uid, out error))
        {
            return false;
        }
        var latencyMs = data["latency_ms"] is JsonValue latency && latency.TryGetValue(out double ms) ? ms : 0;

        byte[]? bytes = null;
        switch (data["data"])
        {
            case null:
                break;
            case JsonValue value when value.TryGetValue(out string? text):
                // The original collector wrote a missing payload as the string "null".
                if (!(text == "null" && length != 4))
                {
                    bytes = TlsPayload.DecodeData(text);
                }
                break;
            default:
                error = "ssl \"data.data\" is neither a string nor null";
                return false;
        }

        payload = new TlsPayload(direction, bytes ?? ReadOnlyMemory<byte>.Empty, length)
        {
            HasBytes = bytes is not null,
            BytesLost = bytesLost,
            Uid = data.ContainsKey("uid") ? (uint)uid : null,
            LatencyNs = (long)Math.Round(latencyMs * 1_000_000),
            Library = data["lib"] is JsonValue lib && lib.TryGetValue(out string? libPath) ? libPath : null,
        };
        if (data["conn_id"] is JsonValue conn && conn.TryGetValue(out string? connText)
            && TlsPayload.TryParseConnectionId(connText, out var connectionId))
        {
            payload.ConnectionId = connectionId;
        }
        if (data["fd"] is JsonValue fdValue && fdValue.TryGetValue(out int fd))
        {
            payload.Fd = fd;
        }
        return true;
    }

    /// <summary>
    /// A JSON error for one line, with its position as "at byte N" rather than the parser's
    /// "LineNumber: 0 | BytePositionInLine: N." (a line of NDJSON has no line numbers of its own).
    /// </summary>
    public static string Describe(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0)
        {
            return message;
        }
        return ex.BytePositionInLine is { } position ? $"{message[..cut]} (at byte {position})" : message[..cut];
    }

    /// <summary>An <c>http_body</c> data object as a <see cref="HttpBodyPayload"/>; null when it lacks its fields.</summary>
    public static HttpBodyPayload? TryReadHttpBody(JsonObject data)
    {
        if (data["exchange_id"] is not JsonValue id || !id.TryGetValue(out string? exchangeId)
            || data["data"] is not JsonValue text || !text.TryGetValue(out string? bytes)
            || !TryGetInt64(data, "offset", out var offset, out _))
        {
            return null;
        }
        return new HttpBodyPayload(exchangeId, Text(data["conn_id"]) ?? string.Empty, offset, PayloadBytes.Decode(bytes))
        {
            ContentType = Text(data["content_type"]),
            Host = Text(data["host"]),
            Path = Text(data["path"]),
        };
    }

    /// <summary>A <c>stdio</c> data object as a <see cref="StdioPayload"/>; null when it lacks its fields (contracts 1.5).</summary>
    public static StdioPayload? TryReadStdio(JsonObject data)
    {
        var direction = Text(data["function"]) switch
        {
            "WRITE" => IoDirection.Write,
            "READ" => IoDirection.Read,
            _ => (IoDirection?)null,
        };
        if (direction is null || Text(data["data"]) is not { } bytes
            || !TryGetInt64(data, "fd", out var fd, out _, required: true) || !TryGetInt64(data, "len", out var length, out _)
            || !TryGetInt64(data, "stream_id", out var streamId, out _) || !TryGetInt64(data, "bytes_lost", out var lost, out _))
        {
            return null;
        }
        int? peer = TryGetInt64(data, "peer_pid", out var peerPid, out _) && data["peer_pid"] is not null ? (int)peerPid : null;
        return new StdioPayload(direction.Value, (int)fd, PayloadBytes.Decode(bytes), length)
        {
            Kind = Text(data["kind"]),
            StreamId = unchecked((ulong)streamId),
            PeerPid = peer,
            BytesLost = lost,
        };
    }

    /// <summary>A <c>websocket</c> data object as a <see cref="WebSocketMessagePayload"/>; null when it lacks its fields (contracts 1.5).</summary>
    public static WebSocketMessagePayload? TryReadWebSocketMessage(JsonObject data)
    {
        if (Text(data["exchange_id"]) is not { } exchangeId || Text(data["opcode"]) is not { } opcode
            || Text(data["direction"]) is not ("client" or "server"))
        {
            return null;
        }
        long? Number(string key) => data[key] is not null && TryGetInt64(data, key, out var value, out _) ? value : null;
        var text = Text(data["text"]);
        return new WebSocketMessagePayload(exchangeId, Text(data["conn_id"]) ?? string.Empty, Text(data["direction"]) == "client", opcode)
        {
            TracedIsServer = Text(data["role"]) == "server",
            HasText = text is not null,
            Text = text is null ? ReadOnlyMemory<byte>.Empty : PayloadBytes.Decode(text),
            Size = Number("size"),
            CompressedSize = Number("compressed_size"),
            Truncated = data["truncated"] is JsonValue cut && cut.TryGetValue(out bool truncated) && truncated,
            Frames = (int)(Number("frames") ?? 1),
            StartNs = Number("start_ns") ?? 0,
            EndNs = Number("end_ns") ?? 0,
            CloseCode = Number("close_code") is { } code ? (int)code : null,
        };
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? s) ? s : null;

    private static bool TryGetInt64(JsonObject obj, string key, out long value, [NotNullWhen(false)] out string? error, bool required = false)
    {
        value = 0;
        error = null;
        var node = obj[key];
        if (node is null)
        {
            if (required)
            {
                error = $"missing \"{key}\"";
                return false;
            }
            return true;
        }
        if (node is JsonValue jsonValue && jsonValue.GetValueKind() == JsonValueKind.Number)
        {
            if (jsonValue.TryGetValue(out long integer))
            {
                value = integer;
                return true;
            }
            if (jsonValue.TryGetValue(out ulong unsigned))
            {
                value = unchecked((long)unsigned);
                return true;
            }
            if (jsonValue.TryGetValue(out double real) && real >= long.MinValue && real <= long.MaxValue)
            {
                value = (long)real;
                return true;
            }
        }
        error = $"\"{key}\" is not an integer";
        return false;
    }
}
