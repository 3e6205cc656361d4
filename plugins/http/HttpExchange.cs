using System.Globalization;
using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Http;

/// <summary>A request and its response on one connection, numbered from 1 per connection.</summary>
internal sealed class HttpExchange(string id, HttpMessage? request)
{
    /// <summary><c>&lt;pid&gt;:&lt;conn_id&gt;:&lt;n&gt;</c>.</summary>
    public string Id { get; } = id;

    /// <summary>Null when the capture began after the request was sent.</summary>
    public HttpMessage? Request { get; } = request;

    public HttpMessage? Response { get; set; }

    private string? _host;
    private bool _hostKnown;

    /// <summary>The host header of the request, for streamed pieces (looked up once).</summary>
    public string? Host
    {
        get
        {
            if (!_hostKnown)
            {
                _host = Request?.Head.Get("host");
                _hostKnown = true;
            }
            return _host;
        }
    }

    /// <summary>The request target, for streamed pieces.</summary>
    public string? Path => Request?.Head.Target;

    /// <summary>True when both messages ended (a missing request counts as not ended).</summary>
    public bool Ended => Request is { Ended: true } && Response is { Ended: true };

    /// <summary>The payload of the <c>http</c> event.</summary>
    public JsonObject ToJson(string connId, string role, bool complete, string endReason)
    {
        var fields = new JsonObject
        {
            ["exchange_id"] = Id,
            ["conn_id"] = connId,
            ["role"] = role,
            ["complete"] = complete,
            ["end_reason"] = endReason,
            ["duration_ms"] = Request is not null && Response is not null ? Milliseconds(Response.EndNs - Request.StartNs) : null,
            ["ttfb_ms"] = Request is not null && Response is not null ? Milliseconds(Response.StartNs - Request.StartNs) : null,
            ["request"] = Request is null ? null : RequestJson(Request),
            ["response"] = Response is null ? null : ResponseJson(Response),
        };
        return fields;
    }

    private static JsonObject RequestJson(HttpMessage message) => new()
    {
        ["method"] = message.Head.Method,
        ["path"] = message.Head.Target,
        ["version"] = message.Head.Version,
        ["host"] = message.Head.Get("host"),
        ["headers"] = Headers(message.Head),
        ["body"] = Body(message),
        ["body_size"] = message.BodySize,
        ["body_truncated"] = message.BodyTruncated,
        ["content_encoding"] = message.ContentEncoding,
        ["start_ns"] = message.StartNs,
        ["end_ns"] = message.EndNs,
    };

    private static JsonObject ResponseJson(HttpMessage message) => new()
    {
        ["status"] = message.Head.Status,
        ["reason"] = message.Head.Reason,
        ["version"] = message.Head.Version,
        ["headers"] = Headers(message.Head),
        ["body"] = Body(message),
        ["streamed"] = message.Streamed,
        ["body_size"] = message.BodySize,
        ["body_truncated"] = message.BodyTruncated,
        ["content_encoding"] = message.ContentEncoding,
        ["first_byte_ns"] = message.StartNs,
        ["end_ns"] = message.EndNs,
    };

    private static JsonObject Headers(HttpHead head)
    {
        var headers = new JsonObject();
        foreach (var (name, value) in head.Headers)
        {
            headers[name] = headers[name] is JsonValue previous ? previous.GetValue<string>() + ", " + value : value;
        }
        return headers;
    }

    private static string? Body(HttpMessage message) =>
        message.Streamed || message.Body is null || message.BodySize == 0 ? null : BodyText.Format(message.Body.Span);

    private static double Milliseconds(long ns) => Math.Round(ns / 1_000_000.0, 3);

    public override string ToString() => Id.ToString(CultureInfo.InvariantCulture);
}
