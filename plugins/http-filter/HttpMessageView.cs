using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.HttpFilter;

/// <summary>
/// One HTTP message (request or response) as conditions see it, read from either our <c>http</c> event's
/// <c>request</c>/<c>response</c> object or the original tool's one-message <c>http_parser</c> event.
/// </summary>
internal sealed class HttpMessageView
{
    private readonly JsonObject _message;
    private readonly bool _original;

    private HttpMessageView(JsonObject message, bool original)
    {
        _message = message;
        _original = original;
    }

    public string? Method => Text("method");

    public string? Path => Text("path");

    /// <summary>Our events carry the host; the original's only have the header.</summary>
    public string? Host => (_original ? null : Text("host")) ?? Header("host");

    public int? Status => _message[_original ? "status_code" : "status"] is JsonValue value && value.TryGetValue(out int status) ? status : null;

    public string? Reason => Text(_original ? "status_text" : "reason");

    public string? Body => Text("body");

    /// <summary>
    /// True when the message has no body. A streamed body is not in <c>body</c> (it went out as <c>http_body</c>
    /// events) but <c>body_size</c> still counts it, so a streamed LLM answer is never "empty". Nor is a
    /// <c>101 Switching Protocols</c>: what follows it (WebSocket messages, HTTP/2 streams) is its connection's content.
    /// </summary>
    public bool BodyIsEmpty
    {
        get
        {
            if (Status == 101)
            {
                return false;
            }
            if (_message["body_size"] is JsonValue size && size.TryGetValue(out long bytes))
            {
                return bytes == 0;
            }
            return string.IsNullOrWhiteSpace(Body);
        }
    }

    /// <summary>Our <c>http</c> event: its request, and its response (null when none came).</summary>
    public static (HttpMessageView? Request, HttpMessageView? Response) OfExchange(JsonObject fields) =>
        (fields["request"] is JsonObject request ? new HttpMessageView(request, false) : null,
         fields["response"] is JsonObject response ? new HttpMessageView(response, false) : null);

    /// <summary>The original's <c>http_parser</c> event: one message, a request or a response.</summary>
    public static (HttpMessageView? Request, HttpMessageView? Response) OfOriginal(JsonObject fields)
    {
        var view = new HttpMessageView(fields, true);
        return (fields["message_type"] as JsonValue)?.GetValueKind() == JsonValueKind.String
            ? fields["message_type"]!.GetValue<string>() switch
            {
                "request" => (view, null),
                "response" => (null, view),
                _ => (null, null),
            }
            : (null, null);
    }

    /// <summary>
    /// A header's value by name, ignoring case; a name written with <c>_</c> also finds the header spelt with
    /// <c>-</c> (<c>x_request_id</c> finds <c>x-request-id</c>). Null when the message has no such header.
    /// </summary>
    public string? Header(string name)
    {
        if (_message["headers"] is not JsonObject headers)
        {
            return null;
        }
        var value = Lookup(headers, name);
        if (value is null && name.Contains('_', StringComparison.Ordinal))
        {
            value = Lookup(headers, name.Replace('_', '-'));
        }
        return value;
    }

    private static string? Lookup(JsonObject headers, string name)
    {
        if (headers.TryGetPropertyValue(name, out var node))
        {
            return AsText(node);
        }
        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return AsText(value);
            }
        }
        return null;
    }

    private string? Text(string key) => AsText(_message[key]);

    private static string? AsText(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue(out string? text) => text,
        JsonArray array => string.Join(", ", array.Select(item => AsText(item) ?? string.Empty)),
        _ => null,
    };
}
