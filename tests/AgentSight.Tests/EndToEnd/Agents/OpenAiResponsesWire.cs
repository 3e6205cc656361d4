using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AgentSight.Tests.Agents;

/// <summary>
/// The OpenAI Responses API (<c>POST /v1/responses</c>), which Codex speaks: tools are flat
/// <c>{type:"function", name, parameters}</c> (or the built-in <c>{type:"local_shell"}</c>), a tool result is a
/// <c>function_call_output</c> input item; the stream is named events, each with a <c>sequence_number</c>, from
/// <c>response.created</c> to <c>response.completed</c> (which carries the usage), and no <c>[DONE]</c>.
/// </summary>
internal static class OpenAiResponsesWire
{
    private static readonly string[] ResultTypes = ["function_call_output", "local_shell_call_output", "custom_tool_call_output"];

    public static ModelCall Inspect(JsonNode body)
    {
        var offered = new List<(string Name, JsonObject? Schema)>();
        var localShell = false;
        foreach (var tool in WireJson.Objects(body["tools"]))
        {
            var type = WireJson.String(tool["type"]);
            if (type == "local_shell")
            {
                localShell = true;
                offered.Add(("local_shell", null));
            }
            else
            {
                offered.Add((WireJson.String(tool["name"]) ?? type ?? "", tool["parameters"] as JsonObject));
            }
        }
        var functions = offered.Where(t => t.Name != "local_shell").ToList();
        var shell = ShellTool.Pick(functions, ["shell_command", "shell", "exec_command"])
            ?? (localShell ? new ShellTool("local_shell", true, null) : null);
        string? result = null;
        foreach (var item in WireJson.Objects(body["input"]))
        {
            if (ResultTypes.Contains(WireJson.String(item["type"])))
            {
                result = WireJson.TextOf(item["output"]);
            }
        }
        var format = body["text"]?["format"];
        var schema = WireJson.String(format?["type"]) == "json_schema" ? format?["schema"] : null;
        return new ModelCall(WireApi.OpenAiResponses, WireJson.String(body["model"]) ?? "gpt-unknown", WireJson.Bool(body["stream"]),
            [.. offered.Select(t => t.Name)], shell, result, schema);
    }

    public static async Task WriteAsync(HttpResponse response, ScriptedReply reply, bool stream, CancellationToken cancel)
    {
        response.Headers["x-request-id"] = "req_" + WireIds.Hex(32);
        response.Headers["openai-processing-ms"] = "42";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (!stream)
        {
            var itemId = reply.Kind == AnswerKind.ToolCall
                ? WireIds.ResponsesItem(reply.Tool!.IsLocalShell ? "lsh" : "fc")
                : WireIds.ResponsesItem("msg");
            var item = reply.Kind == AnswerKind.ToolCall ? ToolItem(reply, itemId, done: true) : MessageItem(itemId, reply.Text, done: true);
            await Sse.JsonAsync(response, 200, Response(reply, created, "completed", [item.DeepClone()], withUsage: true), cancel);
            return;
        }

        await Sse.StartAsync(response, cancel);
        await StreamAsync(reply, created, (name, payload) => Sse.EventAsync(response, name, payload, cancel));
    }

    /// <summary>
    /// The events of one streamed answer, each with its <c>type</c> and <c>sequence_number</c>, handed to
    /// <paramref name="send"/> in order: as SSE events over HTTP, or as WebSocket messages (the Responses API's WebSocket
    /// transport sends the same events). A <see cref="AnswerKind.Prewarm"/> gets a response with no output.
    /// </summary>
    public static async Task StreamAsync(ScriptedReply reply, long created, Func<string, JsonObject, Task> send)
    {
        var sequence = 0;
        Task Event(string name, JsonObject data)
        {
            var payload = new JsonObject { ["type"] = name, ["sequence_number"] = sequence++ };
            foreach (var (key, value) in data.ToList())
            {
                data.Remove(key);
                payload[key] = value;
            }
            return send(name, payload);
        }

        await Event("response.created", new JsonObject { ["response"] = Response(reply, created, "in_progress", [], withUsage: false) });
        await Event("response.in_progress", new JsonObject { ["response"] = Response(reply, created, "in_progress", [], withUsage: false) });
        if (reply.Kind == AnswerKind.Prewarm)
        {
            await Event("response.completed", new JsonObject { ["response"] = Response(reply, created, "completed", [], withUsage: true) });
            return;
        }
        var itemId = reply.Kind == AnswerKind.ToolCall
            ? WireIds.ResponsesItem(reply.Tool!.IsLocalShell ? "lsh" : "fc")
            : WireIds.ResponsesItem("msg");
        var item = reply.Kind == AnswerKind.ToolCall ? ToolItem(reply, itemId, done: true) : MessageItem(itemId, reply.Text, done: true);
        if (reply.Kind == AnswerKind.ToolCall)
        {
            await Event("response.output_item.added", new JsonObject { ["output_index"] = 0, ["item"] = ToolItem(reply, itemId, done: false) });
            if (!reply.Tool!.IsLocalShell)
            {
                var arguments = Sse.Serialize(reply.Arguments!);
                foreach (var piece in Sse.Pieces(arguments))
                {
                    await Event("response.function_call_arguments.delta", new JsonObject { ["item_id"] = itemId, ["output_index"] = 0, ["delta"] = piece });
                }
                await Event("response.function_call_arguments.done", new JsonObject { ["item_id"] = itemId, ["output_index"] = 0, ["name"] = reply.Tool.Name, ["arguments"] = arguments });
            }
        }
        else
        {
            await Event("response.output_item.added", new JsonObject { ["output_index"] = 0, ["item"] = MessageItem(itemId, "", done: false) });
            await Event("response.content_part.added", new JsonObject { ["item_id"] = itemId, ["output_index"] = 0, ["content_index"] = 0, ["part"] = TextPart("") });
            foreach (var piece in Sse.Pieces(reply.Text))
            {
                await Event("response.output_text.delta", new JsonObject { ["item_id"] = itemId, ["output_index"] = 0, ["content_index"] = 0, ["delta"] = piece, ["logprobs"] = new JsonArray() });
            }
            await Event("response.output_text.done", new JsonObject { ["item_id"] = itemId, ["output_index"] = 0, ["content_index"] = 0, ["text"] = reply.Text, ["logprobs"] = new JsonArray() });
            await Event("response.content_part.done", new JsonObject { ["item_id"] = itemId, ["output_index"] = 0, ["content_index"] = 0, ["part"] = TextPart(reply.Text) });
        }
        await Event("response.output_item.done", new JsonObject { ["output_index"] = 0, ["item"] = item.DeepClone() });
        await Event("response.completed", new JsonObject { ["response"] = Response(reply, created, "completed", [item.DeepClone()], withUsage: true) });
    }

    public static JsonObject Error(string type, string message) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = null },
    };

    private static JsonObject Response(ScriptedReply reply, long created, string status, JsonArray output, bool withUsage) => new()
    {
        ["id"] = reply.ResponseId,
        ["object"] = "response",
        ["created_at"] = created,
        ["status"] = status,
        ["background"] = false,
        ["error"] = null,
        ["incomplete_details"] = null,
        ["instructions"] = null,
        ["model"] = reply.Model,
        ["output"] = output,
        ["parallel_tool_calls"] = false,
        ["previous_response_id"] = null,
        ["store"] = false,
        ["temperature"] = 1.0,
        ["tool_choice"] = "auto",
        ["top_p"] = 1.0,
        ["truncation"] = "disabled",
        ["usage"] = withUsage
            ? new JsonObject
            {
                ["input_tokens"] = reply.Usage.InputTokens,
                ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
                ["output_tokens"] = reply.Usage.OutputTokens,
                ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
                ["total_tokens"] = reply.Usage.TotalTokens,
            }
            : null,
    };

    private static JsonObject ToolItem(ScriptedReply reply, string itemId, bool done)
    {
        if (reply.Tool!.IsLocalShell)
        {
            return new JsonObject
            {
                ["type"] = "local_shell_call",
                ["id"] = itemId,
                ["call_id"] = reply.ToolCallId,
                ["status"] = done ? "completed" : "in_progress",
                ["action"] = new JsonObject
                {
                    ["type"] = "exec",
                    ["command"] = reply.Arguments!["command"]?.DeepClone(),
                    ["timeout_ms"] = null,
                    ["working_directory"] = null,
                    ["env"] = new JsonObject(),
                    ["user"] = null,
                },
            };
        }
        return new JsonObject
        {
            ["type"] = "function_call",
            ["id"] = itemId,
            ["call_id"] = reply.ToolCallId,
            ["name"] = reply.Tool.Name,
            ["arguments"] = done ? Sse.Serialize(reply.Arguments!) : "",
            ["status"] = done ? "completed" : "in_progress",
        };
    }

    private static JsonObject MessageItem(string itemId, string text, bool done) => new()
    {
        ["type"] = "message",
        ["id"] = itemId,
        ["status"] = done ? "completed" : "in_progress",
        ["role"] = "assistant",
        ["content"] = done ? new JsonArray(TextPart(text)) : new JsonArray(),
    };

    private static JsonObject TextPart(string text) => new()
    {
        ["type"] = "output_text",
        ["annotations"] = new JsonArray(),
        ["logprobs"] = new JsonArray(),
        ["text"] = text,
    };
}
