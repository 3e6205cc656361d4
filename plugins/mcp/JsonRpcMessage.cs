using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Mcp;

/// <summary>One JSON-RPC 2.0 message, read from the bytes a framing delimited.</summary>
internal sealed class JsonRpcMessage
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 256 };

    public required JsonRpcKind Kind { get; init; }

    /// <summary>The id as written (a number's digits or a string's text); null for a notification.</summary>
    public string? Id { get; init; }

    /// <summary>The id with its JSON type, so that <c>3</c> and <c>"3"</c> stay different requests.</summary>
    public string? IdKey { get; init; }

    public string? Method { get; init; }

    public JsonNode? Params { get; init; }

    public JsonNode? Result { get; init; }

    public JsonObject? Error { get; init; }

    /// <summary>The message was longer than the cap: only its id and method are known.</summary>
    public bool Truncated { get; init; }

    /// <summary>When the bytes that completed it were written (epoch ns).</summary>
    public long Timestamp { get; set; }

    /// <summary>
    /// The messages in <paramref name="bytes"/> (one, or a batch's); empty when they are not JSON-RPC 2.0. Cheap for
    /// bytes that are not: JSON that never names <c>jsonrpc</c> is not parsed.
    /// </summary>
    public static List<JsonRpcMessage> ParseAll(ReadOnlySpan<byte> bytes)
    {
        var result = new List<JsonRpcMessage>(1);
        if (bytes.IndexOf("\"jsonrpc\""u8) < 0)
        {
            return result;
        }
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes, documentOptions: Options);
        }
        catch (JsonException)
        {
            return result;
        }
        switch (node)
        {
            case JsonObject obj when From(obj) is { } one:
                result.Add(one);
                break;
            case JsonArray batch:
                foreach (var item in batch)
                {
                    if (item is JsonObject member && From(member) is { } message)
                    {
                        result.Add(message);
                    }
                }
                break;
        }
        return result;
    }

    /// <summary>
    /// What can be known of a message too long to keep: its method, read from its head, and its id, read from its tail
    /// (SDKs write a request's <c>method</c> first and every message's <c>id</c> last).
    /// </summary>
    public static JsonRpcMessage? FromCut(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail)
    {
        var method = MethodAtHead(head);
        var (id, key) = IdAtTail(tail);
        if (method is null && id is null)
        {
            return null;
        }
        return new JsonRpcMessage
        {
            Kind = method is null ? JsonRpcKind.Response : id is null ? JsonRpcKind.Notification : JsonRpcKind.Request,
            Method = method,
            Id = id,
            IdKey = key,
            Truncated = true,
        };
    }

    private static JsonRpcMessage? From(JsonObject obj)
    {
        if (obj["jsonrpc"] is not JsonValue version || version.GetValueKind() != JsonValueKind.String || version.GetValue<string>() != "2.0")
        {
            return null;
        }
        var (id, key) = IdOf(obj["id"]);
        var method = obj["method"] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : null;
        // Detached so that the event owns them without copying the whole message.
        var parameters = Detach(obj, "params");
        if (method is not null)
        {
            return new JsonRpcMessage
            {
                Kind = id is null ? JsonRpcKind.Notification : JsonRpcKind.Request,
                Id = id,
                IdKey = key,
                Method = method,
                Params = parameters,
            };
        }
        if (id is null && !obj.ContainsKey("error"))
        {
            return null;
        }
        return new JsonRpcMessage
        {
            Kind = JsonRpcKind.Response,
            Id = id,
            IdKey = key,
            Result = Detach(obj, "result"),
            Error = Detach(obj, "error") as JsonObject,
        };
    }

    private static JsonNode? Detach(JsonObject obj, string name)
    {
        if (!obj.TryGetPropertyValue(name, out var value))
        {
            return null;
        }
        obj.Remove(name);
        return value;
    }

    private static (string? Id, string? Key) IdOf(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return (null, null);
        }
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                var text = value.GetValue<string>();
                return (text, "s:" + text);
            case JsonValueKind.Number:
                var digits = value.ToJsonString();
                return (digits, "n:" + digits);
            default:
                return (null, null);
        }
    }

    private static string? MethodAtHead(ReadOnlySpan<byte> head)
    {
        var reader = new Utf8JsonReader(head, isFinalBlock: false, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMethod = reader.ValueTextEquals("method"u8);
                if (!reader.Read())
                {
                    return null;
                }
                if (isMethod)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                if (!reader.TrySkip())
                {
                    return null;
                }
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }

    private static (string? Id, string? Key) IdAtTail(ReadOnlySpan<byte> tail)
    {
        var end = tail.TrimEnd(" \t\r\n"u8);
        if (end.IsEmpty || end[^1] != (byte)'}')
        {
            return (null, null);
        }
        var at = end.LastIndexOf("\"id\":"u8);
        if (at < 0)
        {
            return (null, null);
        }
        var value = end[(at + 5)..^1].Trim(" \t"u8);
        if (value.Length >= 2 && value[0] == (byte)'"' && value[^1] == (byte)'"' && value[1..^1].IndexOf((byte)'"') < 0)
        {
            var text = Encoding.UTF8.GetString(value[1..^1]);
            return (text, "s:" + text);
        }
        if (!value.IsEmpty && long.TryParse(Encoding.ASCII.GetString(value), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            var digits = number.ToString(CultureInfo.InvariantCulture);
            return (digits, "n:" + digits);
        }
        return (null, null);
    }
}
