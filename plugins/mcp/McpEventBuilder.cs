using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Mcp;

/// <summary>
/// Writes <c>mcp</c> events: OpenTelemetry MCP attribute names (<c>mcp.method.name</c>, <c>mcp.session.id</c>,
/// <c>jsonrpc.request.id</c>, <c>gen_ai.tool.name</c>) and the fields docs/EVENTS.md lists.
/// </summary>
internal sealed class McpEventBuilder(McpAnalyzerConfig config, IReadOnlyDictionary<int, string> names)
{
    /// <summary>A request with its response, or alone when it was never answered (<paramref name="response"/> null).</summary>
    public AgentEvent Call(JsonRpcMessage request, MessageOrigin asked, JsonRpcMessage? response, MessageOrigin? answered,
        Endpoint client, Endpoint server, Conversation conversation)
    {
        var fields = Common(request, asked, "request", client, server, conversation);
        var error = response?.Error;
        var toolFailed = response?.Result is JsonObject result && result["isError"] is JsonValue flag && flag.TryGetValue(out bool isError) && isError;
        fields["result"] = config.IncludeResults ? response?.Result : null;
        fields["error"] = error is null ? null : new JsonObject
        {
            ["code"] = error["code"]?.DeepClone(),
            ["message"] = error["message"]?.DeepClone(),
            ["data"] = error["data"]?.DeepClone(),
        };
        if (error is not null)
        {
            fields["error.type"] = error["code"] is JsonValue code ? code.ToJsonString() : "error";
        }
        else if (toolFailed)
        {
            fields["error.type"] = "tool_error";
        }
        fields["is_error"] = error is not null || toolFailed;
        var start = request.Timestamp;
        var end = response?.Timestamp;
        fields["start_ns"] = start;
        fields["end_ns"] = end;
        fields["duration_ms"] = end is { } e ? Math.Round((e - start) / 1e6, 3) : null;
        if (answered?.ExchangeId is { } answerExchange && answerExchange != asked.ExchangeId)
        {
            fields["response_exchange_id"] = answerExchange;
        }
        if (answered?.StreamId is { } answerStream)
        {
            fields["response_stream_id"] = answerStream;
        }
        fields["complete"] = response is not null;
        fields["truncated"] = request.Truncated || response?.Truncated == true;
        return Event(end ?? start, fields, client, asked);
    }

    /// <summary>A notification: nothing answers it.</summary>
    public AgentEvent Notification(JsonRpcMessage message, MessageOrigin origin, Endpoint client, Endpoint server, Conversation conversation)
    {
        var fields = Common(message, origin, "notification", client, server, conversation);
        fields["result"] = null;
        fields["error"] = null;
        fields["is_error"] = false;
        fields["start_ns"] = message.Timestamp;
        fields["end_ns"] = message.Timestamp;
        fields["duration_ms"] = null;
        fields["complete"] = true;
        fields["truncated"] = message.Truncated;
        return Event(message.Timestamp, fields, client, origin);
    }

    private JsonObject Common(JsonRpcMessage message, MessageOrigin origin, string kind, Endpoint client, Endpoint server, Conversation conversation)
    {
        var parameters = message.Params as JsonObject;
        var fields = new JsonObject
        {
            ["mcp.method.name"] = message.Method,
            ["jsonrpc.request.id"] = message.Id,
            ["mcp.session.id"] = origin.SessionId,
            ["mcp.protocol.version"] = conversation.ProtocolVersion,
            ["transport"] = origin.Transport,
            ["kind"] = kind,
            ["direction"] = origin.Sender.Key == client.Key ? "client_to_server" : "server_to_client",
            ["server"] = conversation.ServerInfo?.DeepClone(),
            ["client"] = conversation.ClientInfo?.DeepClone(),
        };
        switch (message.Method)
        {
            case McpMethods.ToolsCall:
                fields["gen_ai.operation.name"] = "execute_tool";
                fields["gen_ai.tool.name"] = Text(parameters?["name"]);
                break;
            case McpMethods.PromptsGet:
                fields["gen_ai.prompt.name"] = Text(parameters?["name"]);
                break;
        }
        if (Text(parameters?["uri"]) is { } uri)
        {
            fields["mcp.resource.uri"] = uri;
        }
        if (config.IncludeArguments)
        {
            // tools/call and prompts/get: their arguments; any other method: its params as sent.
            fields["arguments"] = message.Method is McpMethods.ToolsCall or McpMethods.PromptsGet
                ? Detach(parameters, "arguments")
                : message.Params;
        }
        else
        {
            fields["arguments"] = null;
        }
        fields["client_pid"] = client.Pid;
        fields["server_pid"] = server.Pid;
        if (origin.StreamId is { } stream)
        {
            fields["stream_id"] = stream;
            fields["stream_kind"] = origin.StreamKind;
        }
        if (origin.ExchangeId is { } exchange)
        {
            fields["exchange_id"] = exchange;
            fields["url"] = origin.Url;
        }
        return fields;
    }

    private AgentEvent Event(long timestamp, JsonObject fields, Endpoint client, MessageOrigin origin)
    {
        // The agent's event: labelled with the client's process when it is known.
        var pid = client.Pid ?? origin.Pid;
        var comm = names.TryGetValue(pid, out var name) ? name : pid == origin.Pid ? origin.Comm : "";
        var tid = pid == origin.Pid ? origin.Tid : 0;
        return new AgentEvent(timestamp, EventNames.Mcp, pid, tid, comm, new JsonPayload(fields));
    }

    private static JsonNode? Detach(JsonObject? obj, string name)
    {
        if (obj is null || !obj.TryGetPropertyValue(name, out var value))
        {
            return null;
        }
        obj.Remove(name);
        return value;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue(out string? text) ? text : null;
}
