using System.Text.Json.Nodes;

namespace AgentSight.Traffic;

/// <summary>OpenAI Chat Completions: <c>POST /v1/chat/completions</c>, data-only SSE ending in <c>[DONE]</c>.</summary>
internal sealed class OpenAiChatApi : OpenAiApiBase
{
    public override SyntheticProvider Provider => SyntheticProvider.OpenAi;

    public override IReadOnlyList<ModelChoice> Models(ClientKind client) =>
    [
        new("gpt-4o", "gpt-4o-2024-08-06"),
        new("gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"),
        new("gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
    ];

    public override string Path(ModelChoice model, bool stream, ClientKind client) => "/v1/chat/completions";

    public override string RequestBody(LlmRequest request, ClientKind client)
    {
        var messages = new JsonArray { new JsonObject { ["role"] = "system", ["content"] = request.System } };
        foreach (var turn in request.Turns)
        {
            switch (turn)
            {
                case UserTurn user:
                    messages.Add(new JsonObject { ["role"] = "user", ["content"] = user.Text });
                    break;
                case AssistantTurn assistant:
                    var message = new JsonObject { ["role"] = "assistant", ["content"] = string.IsNullOrEmpty(assistant.Text) ? null : assistant.Text };
                    if (assistant.ToolCall is { } call)
                    {
                        message["tool_calls"] = new JsonArray(ToolCall(call));
                    }
                    messages.Add(message);
                    break;
                case ToolResultTurn result:
                    messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = result.Call.Id, ["content"] = result.Output });
                    break;
            }
        }
        var body = new JsonObject { ["messages"] = messages, ["model"] = request.Model, ["max_completion_tokens"] = request.MaxTokens };
        if (request.Stream)
        {
            body["stream"] = true;
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }
        else
        {
            body["stream"] = false;
        }
        body["temperature"] = request.Temperature;
        if (request.Tools.Count > 0)
        {
            var tools = new JsonArray();
            foreach (var tool in request.Tools)
            {
                tools.Add(new JsonObject
                {
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = tool.Name, ["description"] = tool.Description, ["parameters"] = ParseObject(tool.ParametersJson) },
                });
            }
            body["tools"] = tools;
        }
        return WireJson.Write(body);
    }

    public override ApiResponse Respond(ResponseContext context)
    {
        var random = context.Random;
        var id = "chatcmpl-" + random.Chars(29, Base62);
        var fingerprint = "fp_" + random.Chars(10, Hex);
        var answer = context.Answer;
        var finish = answer.ToolCall is null ? "stop" : "tool_calls";

        if (!context.Request.Stream)
        {
            var message = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = answer.Text.Length == 0 ? null : answer.Text,
                ["refusal"] = null,
                ["annotations"] = new JsonArray(),
            };
            if (answer.ToolCall is { } call)
            {
                message["tool_calls"] = new JsonArray(ToolCall(call));
            }
            return new ApiResponse
            {
                ResponseId = id,
                FinishReason = finish,
                Body = WireJson.Write(new JsonObject
                {
                    ["id"] = id,
                    ["object"] = "chat.completion",
                    ["created"] = context.CreatedUnixSeconds,
                    ["model"] = context.Model.Responded,
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["message"] = message,
                        ["logprobs"] = null,
                        ["finish_reason"] = finish,
                    }),
                    ["usage"] = Usage(context.Usage),
                    ["service_tier"] = "default",
                    ["system_fingerprint"] = fingerprint,
                }),
            };
        }

        var events = new List<string>();
        void Chunk(JsonObject? delta, string? finishReason, JsonObject? usage = null, bool obfuscate = true)
        {
            var chunk = new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = context.CreatedUnixSeconds,
                ["model"] = context.Model.Responded,
                ["service_tier"] = "default",
                ["system_fingerprint"] = fingerprint,
                ["choices"] = delta is null
                    ? new JsonArray()
                    : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finishReason }),
                ["usage"] = usage,
            };
            if (obfuscate)
            {
                chunk["obfuscation"] = Obfuscation(random);
            }
            events.Add(Sse(null, chunk));
        }

        var first = true;
        if (answer.Text.Length > 0)
        {
            Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "", ["refusal"] = null }, null);
            first = false;
            foreach (var piece in SplitText(answer.Text, random, 1, 12))
            {
                Chunk(new JsonObject { ["content"] = piece }, null);
            }
        }
        if (answer.ToolCall is { } toolCall)
        {
            var opening = new JsonObject
            {
                ["index"] = 0,
                ["id"] = toolCall.Id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = toolCall.Name, ["arguments"] = "" },
            };
            var delta = first
                ? new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(opening), ["refusal"] = null }
                : new JsonObject { ["tool_calls"] = new JsonArray(opening) };
            Chunk(delta, null);
            foreach (var piece in SplitText(toolCall.ArgumentsJson, random, 3, 16))
            {
                Chunk(new JsonObject
                {
                    ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = piece } }),
                }, null);
            }
        }
        Chunk(new JsonObject(), finish);
        // With stream_options.include_usage the usage comes in one more chunk, with no choices, before [DONE].
        Chunk(null, null, Usage(context.Usage), obfuscate: false);
        events.Add(Sse(null, "[DONE]"));
        return new ApiResponse { ResponseId = id, FinishReason = finish, Events = events };
    }

    private static JsonObject ToolCall(SyntheticToolCall call) => new()
    {
        ["id"] = call.Id,
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.ArgumentsJson },
    };

    private static JsonObject Usage(TokenUsage usage) => new()
    {
        ["prompt_tokens"] = usage.InputTokens,
        ["completion_tokens"] = usage.OutputTokens,
        ["total_tokens"] = usage.TotalTokens(SyntheticProvider.OpenAi),
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = usage.CachedInputTokens, ["audio_tokens"] = 0 },
        ["completion_tokens_details"] = new JsonObject
        {
            ["reasoning_tokens"] = usage.ReasoningTokens,
            ["audio_tokens"] = 0,
            ["accepted_prediction_tokens"] = 0,
            ["rejected_prediction_tokens"] = 0,
        },
    };
}
