using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.HttpFilter;

/// <summary>Events of one HTTP exchange in the shapes of docs/EVENTS.md (<c>http</c>, <c>sse</c>, <c>llm</c>).</summary>
internal static class HttpEvents
{
    public static AgentEvent Exchange(string id = "4242:0x5581:1", string method = "POST", string path = "/v1/messages",
        string host = "api.anthropic.com", string? requestBody = "{\"model\":\"claude-sonnet-4-5\",\"stream\":true}",
        int? status = 200, string reason = "OK", string? responseBody = null, long? responseBodySize = null, bool streamed = false,
        JsonObject? responseHeaders = null, JsonObject? requestHeaders = null, bool noResponse = false)
    {
        var request = new JsonObject
        {
            ["method"] = method,
            ["path"] = path,
            ["version"] = "HTTP/1.1",
            ["host"] = host,
            ["headers"] = requestHeaders ?? new JsonObject { ["host"] = host, ["content-type"] = "application/json" },
            ["body"] = requestBody,
            ["body_size"] = requestBody?.Length ?? 0,
        };
        JsonObject? response = noResponse ? null : new JsonObject
        {
            ["status"] = status,
            ["reason"] = reason,
            ["version"] = "HTTP/1.1",
            ["headers"] = responseHeaders ?? new JsonObject { ["content-type"] = streamed ? "text/event-stream" : "application/json" },
            ["body"] = streamed ? null : responseBody,
            ["streamed"] = streamed,
            ["body_size"] = responseBodySize ?? responseBody?.Length ?? 0,
        };
        return new AgentEvent(Some.Epoch, "http", 4242, 4250, "claude", new JsonPayload(new JsonObject
        {
            ["exchange_id"] = id,
            ["conn_id"] = "0x5581",
            ["role"] = "client",
            ["complete"] = !noResponse,
            ["request"] = request,
            ["response"] = response,
        }));
    }

    /// <summary>A streamed Anthropic answer: body null (it went out as stream events) but 20 KB long.</summary>
    public static AgentEvent StreamedAnswer(string id = "4242:0x5581:1") =>
        Exchange(id, path: "/v1/messages?beta=true", streamed: true, responseBodySize: 20_480);

    public static AgentEvent Follower(string source, string id) =>
        new(Some.Epoch + 1, source, 4242, 4250, "claude", new JsonPayload(new JsonObject { ["exchange_id"] = id, ["kind"] = source }));

    /// <summary>The original tool's one-message record.</summary>
    public static AgentEvent Original(string messageType, string? method = null, string? path = null, int? status = null,
        string? body = null, JsonObject? headers = null) =>
        new(Some.Epoch, "http_parser", 4242, 0, "claude", new JsonPayload(new JsonObject
        {
            ["message_type"] = messageType,
            ["method"] = method,
            ["path"] = path,
            ["status_code"] = status,
            ["body"] = body,
            ["headers"] = headers ?? new JsonObject(),
        }));
}
