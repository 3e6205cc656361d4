using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AgentSight.Tests.Agents;

/// <summary>
/// The OpenAI Chat Completions API (<c>POST /v1/chat/completions</c>), which Copilot CLI speaks to a custom provider:
/// tools are <c>{type:"function", function:{name, parameters}}</c>, a tool result is a <c>role:"tool"</c> message; the
/// stream is data-only <c>chat.completion.chunk</c> objects, a usage chunk with <c>"choices":[]</c> when
/// <c>stream_options.include_usage</c> asks for it, then <c>data: [DONE]</c>.
/// </summary>
internal static class ChatCompletionsWire
{
    public static ModelCall Inspect(JsonNode body)
    {
        var tools = WireJson.Objects(body["tools"])
            .Select(t => t["function"] as JsonObject ?? t)
            .Select(f => (Name: WireJson.String(f["name"]) ?? "", Schema: f["parameters"] as JsonObject))
            .ToList();
        string? result = null;
        foreach (var message in WireJson.Objects(body["messages"]))
        {
            if (WireJson.String(message["role"]) == "tool")
            {
                result = WireJson.TextOf(message["content"]);
            }
        }
        var format = body["response_format"];
        var schema = WireJson.String(format?["type"]) == "json_schema" ? format?["json_schema"]?["schema"] : null;
        return new ModelCall(WireApi.OpenAiChatCompletions, WireJson.String(body["model"]) ?? "gpt-unknown", WireJson.Bool(body["stream"]),
            [.. tools.Select(t => t.Name)], ShellTool.Pick(tools, ["bash", "shell", "run_shell_command", "shell_command"]), result, schema);
    }

    /// <summary>Whether the request asked for the usage chunk at the end of the stream.</summary>
    public static bool IncludeUsage(JsonNode body) => WireJson.Bool(body["stream_options"]?["include_usage"]);

    public static async Task WriteAsync(HttpResponse response, ScriptedReply reply, bool stream, bool includeUsage, CancellationToken cancel)
    {
        response.Headers["x-request-id"] = "req_" + WireIds.Hex(32);
        response.Headers["openai-processing-ms"] = "42";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var finish = reply.Kind == AnswerKind.ToolCall ? "tool_calls" : "stop";
        if (!stream)
        {
            var message = new JsonObject { ["role"] = "assistant", ["content"] = reply.Text, ["refusal"] = null };
            if (reply.Kind == AnswerKind.ToolCall)
            {
                message["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = reply.ToolCallId,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = reply.Tool!.Name, ["arguments"] = Sse.Serialize(reply.Arguments!) },
                });
            }
            var completion = Base(reply, created, "chat.completion");
            completion["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["logprobs"] = null, ["finish_reason"] = finish });
            completion["usage"] = Usage(reply.Usage);
            await Sse.JsonAsync(response, 200, completion, cancel);
            return;
        }

        await Sse.StartAsync(response, cancel);
        Task Chunk(JsonObject? delta, string? finishReason)
        {
            var chunk = Base(reply, created, "chat.completion.chunk");
            chunk["choices"] = delta is null
                ? new JsonArray()
                : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finishReason });
            if (includeUsage)
            {
                chunk["usage"] = delta is null ? Usage(reply.Usage) : null;
            }
            return Sse.EventAsync(response, null, chunk, cancel);
        }

        if (reply.Kind == AnswerKind.ToolCall)
        {
            await Chunk(new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["id"] = reply.ToolCallId,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = reply.Tool!.Name, ["arguments"] = "" },
                }),
            }, null);
            foreach (var piece in Sse.Pieces(Sse.Serialize(reply.Arguments!)))
            {
                await Chunk(new JsonObject
                {
                    ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = piece } }),
                }, null);
            }
        }
        else
        {
            await Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "", ["refusal"] = null }, null);
            foreach (var piece in Sse.Pieces(reply.Text))
            {
                await Chunk(new JsonObject { ["content"] = piece }, null);
            }
        }
        await Chunk([], finish);
        if (includeUsage)
        {
            await Chunk(null, null);
        }
        await Sse.RawAsync(response, null, "[DONE]", cancel);
    }

    public static JsonObject Error(string type, string message) => OpenAiResponsesWire.Error(type, message);

    private static JsonObject Base(ScriptedReply reply, long created, string kind) => new()
    {
        ["id"] = reply.ResponseId,
        ["object"] = kind,
        ["created"] = created,
        ["model"] = reply.Model,
        ["system_fingerprint"] = "fp_agentsight",
        ["service_tier"] = "default",
    };

    private static JsonObject Usage(TokenUsage usage) => new()
    {
        ["prompt_tokens"] = usage.InputTokens,
        ["completion_tokens"] = usage.OutputTokens,
        ["total_tokens"] = usage.TotalTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0, ["audio_tokens"] = 0 },
        ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0, ["audio_tokens"] = 0, ["accepted_prediction_tokens"] = 0, ["rejected_prediction_tokens"] = 0 },
    };
}
