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
    public HttpMessage? Request
    {
        get => _request;
        set
        {
            // An HTTP/2 stream seen from its middle can learn of its request after its response began.
            _request = value;
            _hostKnown = false;
        }
    }

    /// <summary>The HTTP/2 stream the exchange was on; null for HTTP/1.</summary>
    public int? StreamId { get; set; }

    private HttpMessage? _request = request;

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
                _host = Request?.Head.Host;
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
    /// <remarks>
    /// Objects are made from a collection of their properties rather than with initializers: the collection tells the
    /// object how many properties it gets, so its dictionary is allocated once instead of grown three times. This runs
    /// for every exchange; the properties, their order and their values are the same either way.
    /// </remarks>
    public JsonObject ToJson(string connId, string role, bool complete, string endReason)
    {
        var json = Json(connId, role, complete, endReason);
        if (StreamId is { } stream)
        {
            json.Add("stream_id", stream);
        }
        return json;
    }

    private JsonObject Json(string connId, string role, bool complete, string endReason) => new(
    [
        new("exchange_id", Id),
        new("conn_id", connId),
        new("role", role),
        new("complete", complete),
        new("end_reason", endReason),
        new("duration_ms", Request is not null && Response is not null ? Milliseconds(Response.EndNs - Request.StartNs) : null),
        new("ttfb_ms", Request is not null && Response is not null ? Milliseconds(Response.StartNs - Request.StartNs) : null),
        new("request", Request is null ? null : RequestJson(Request)),
        new("response", Response is null ? null : ResponseJson(Response)),
    ]);

    private static JsonObject RequestJson(HttpMessage message) => Http2Fields(message, new(
    [
        new("method", message.Head.Method),
        new("path", message.Head.Target),
        new("version", message.Head.Version),
        new("host", message.Head.Host),
        new("headers", Headers(message.Head)),
        new("body", Body(message)),
        new("body_size", message.BodySize),
        new("body_truncated", message.BodyTruncated),
        new("content_encoding", message.ContentEncoding),
        new("start_ns", message.StartNs),
        new("end_ns", message.EndNs),
    ]));

    private static JsonObject ResponseJson(HttpMessage message) => Http2Fields(message, new(
    [
        new("status", message.Head.Status),
        new("reason", message.Head.Reason),
        new("version", message.Head.Version),
        new("headers", Headers(message.Head)),
        new("body", Body(message)),
        new("streamed", message.Streamed),
        new("body_size", message.BodySize),
        new("body_truncated", message.BodyTruncated),
        new("content_encoding", message.ContentEncoding),
        new("first_byte_ns", message.StartNs),
        new("end_ns", message.EndNs),
    ]));

    /// <summary>HTTP/2 messages say how many header fields are not in <c>headers</c> (null: the block was not seen).</summary>
    private static JsonObject Http2Fields(HttpMessage message, JsonObject json)
    {
        if (message.Head.IsHttp2)
        {
            json.Add("headers_missed", message.Head.HeadersMissed);
        }
        return json;
    }

    /// <summary>Headers by name in order of first appearance; a repeated header's values joined with <c>", "</c>.</summary>
    private static JsonObject Headers(HttpHead head)
    {
        var fields = head.Headers;
        if (fields.Count > MaxHeadersForPairwiseJoin)
        {
            // Many fields: join through the object's own lookup rather than comparing every pair.
            var headers = new JsonObject();
            foreach (var (name, value) in fields)
            {
                headers[name] = headers[name] is JsonValue previous ? previous.GetValue<string>() + ", " + value : value;
            }
            return headers;
        }
        var properties = new List<KeyValuePair<string, JsonNode?>>(fields.Count);
        for (var i = 0; i < fields.Count; i++)
        {
            var name = fields[i].Key;
            if (SeenBefore(fields, i))
            {
                continue;
            }
            var value = fields[i].Value;
            for (var later = i + 1; later < fields.Count; later++)
            {
                if (fields[later].Key == name)
                {
                    value = value + ", " + fields[later].Value;
                }
            }
            properties.Add(new(name, value));
        }
        return new JsonObject(properties);
    }

    /// <summary>Heads rarely have more than a few dozen fields; beyond this many, repeats are found by lookup.</summary>
    private const int MaxHeadersForPairwiseJoin = 48;

    private static bool SeenBefore(List<KeyValuePair<string, string>> fields, int index)
    {
        var name = fields[index].Key;
        for (var i = 0; i < index; i++)
        {
            if (fields[i].Key == name)
            {
                return true;
            }
        }
        return false;
    }

    private static string? Body(HttpMessage message) =>
        message.Streamed || message.Body is null || message.BodySize == 0 ? null : PayloadBytes.Format(message.Body.Span);

    private static double Milliseconds(long ns) => Math.Round(ns / 1_000_000.0, 3);

    public override string ToString() => Id.ToString(CultureInfo.InvariantCulture);
}
