using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AgentSight.Tests.Agents;

/// <summary>
/// The Anthropic Messages API (<c>POST /v1/messages</c>; Claude Code adds <c>?beta=true</c>): tools are
/// <c>{name, description, input_schema}</c>, a tool result is a <c>tool_result</c> block in a user message; the stream is
/// named events <c>message_start</c>, <c>content_block_start/delta/stop</c>, <c>message_delta</c>, <c>message_stop</c>,
/// with <c>ping</c> in between.
/// </summary>
internal static class AnthropicMessagesWire
{
    public static ModelCall Inspect(JsonNode body)
    {
        var tools = WireJson.Objects(body["tools"]).Select(t => (Name: WireJson.String(t["name"]) ?? "", Schema: t["input_schema"] as JsonObject)).ToList();
        string? result = null;
        foreach (var message in WireJson.Objects(body["messages"]))
        {
            foreach (var block in WireJson.Objects(message["content"]))
            {
                if (WireJson.String(block["type"]) == "tool_result")
                {
                    result = WireJson.TextOf(block["content"]);
                }
            }
        }
        // Structured output (Claude Code's session titles): output_config.format, formerly output_format.
        var format = body["output_config"]?["format"] ?? body["output_format"];
        var schema = WireJson.String(format?["type"]) == "json_schema" ? format?["schema"] : null;
        return new ModelCall(WireApi.AnthropicMessages, WireJson.String(body["model"]) ?? "claude-unknown", WireJson.Bool(body["stream"]),
            [.. tools.Select(t => t.Name)], ShellTool.Pick(tools, ["Bash"]), result, schema);
    }

    public static async Task WriteAsync(HttpResponse response, ScriptedReply reply, bool stream, CancellationToken cancel)
    {
        response.Headers["request-id"] = WireIds.AnthropicRequest();
        response.Headers["anthropic-organization-id"] = "00000000-0000-4000-8000-000000000000";
        var stopReason = reply.Kind == AnswerKind.ToolCall ? "tool_use" : "end_turn";
        if (!stream)
        {
            var content = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = reply.Text });
            if (reply.Kind == AnswerKind.ToolCall)
            {
                content.Add(ToolUse(reply, reply.Arguments!.DeepClone()));
            }
            var message = Message(reply, content, stopReason);
            message["usage"] = Usage(reply.Usage.InputTokens, reply.Usage.OutputTokens);
            await Sse.JsonAsync(response, 200, message, cancel);
            return;
        }

        await Sse.StartAsync(response, cancel);
        var start = Message(reply, [], null);
        start["usage"] = Usage(reply.Usage.InputTokens, 1);
        await Event(response, "message_start", new JsonObject { ["message"] = start }, cancel);
        await Event(response, "content_block_start", new JsonObject { ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } }, cancel);
        await Event(response, "ping", [], cancel);
        foreach (var piece in Sse.Pieces(reply.Text))
        {
            await Event(response, "content_block_delta", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = piece } }, cancel);
        }
        await Event(response, "content_block_stop", new JsonObject { ["index"] = 0 }, cancel);
        if (reply.Kind == AnswerKind.ToolCall)
        {
            await Event(response, "content_block_start", new JsonObject { ["index"] = 1, ["content_block"] = ToolUse(reply, new JsonObject()) }, cancel);
            foreach (var piece in (IEnumerable<string>)["", .. Sse.Pieces(Sse.Serialize(reply.Arguments!))])
            {
                await Event(response, "content_block_delta", new JsonObject { ["index"] = 1, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece } }, cancel);
            }
            await Event(response, "content_block_stop", new JsonObject { ["index"] = 1 }, cancel);
        }
        // The API's message_delta carries the cumulative usage, input and cache counts included.
        await Event(response, "message_delta", new JsonObject
        {
            ["delta"] = new JsonObject { ["stop_reason"] = stopReason, ["stop_sequence"] = null },
            ["usage"] = Usage(reply.Usage.InputTokens, reply.Usage.OutputTokens),
        }, cancel);
        await Event(response, "message_stop", [], cancel);
    }

    /// <summary>The answer to <c>POST /v1/messages/count_tokens</c>.</summary>
    public static JsonObject CountTokens(int inputTokens) => new() { ["input_tokens"] = inputTokens };

    public static JsonObject Error(string type, string message) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
        ["request_id"] = WireIds.AnthropicRequest(),
    };

    private static Task Event(HttpResponse response, string name, JsonObject data, CancellationToken cancel)
    {
        var payload = new JsonObject { ["type"] = name };
        foreach (var (key, value) in data.ToList())
        {
            data.Remove(key);
            payload[key] = value;
        }
        return Sse.EventAsync(response, name, payload, cancel);
    }

    private static JsonObject ToolUse(ScriptedReply reply, JsonNode input) => new()
    {
        ["type"] = "tool_use",
        ["id"] = reply.ToolCallId,
        ["name"] = reply.Tool!.Name,
        ["input"] = input,
    };

    private static JsonObject Message(ScriptedReply reply, JsonArray content, string? stopReason) => new()
    {
        ["id"] = reply.ResponseId,
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = reply.Model,
        ["content"] = content,
        ["stop_reason"] = stopReason,
        ["stop_sequence"] = null,
    };

    private static JsonObject Usage(int input, int output) => new()
    {
        ["input_tokens"] = input,
        ["cache_creation_input_tokens"] = 0,
        ["cache_read_input_tokens"] = 0,
        ["output_tokens"] = output,
        ["service_tier"] = "standard",
    };
}
