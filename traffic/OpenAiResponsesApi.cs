using System.Text.Json.Nodes;

namespace AgentSight.Traffic;

/// <summary>
/// The OpenAI Responses API: <c>POST /v1/responses</c>, named SSE events each with a <c>sequence_number</c>, ending
/// with <c>response.completed</c> (no <c>[DONE]</c>).
/// </summary>
internal sealed class OpenAiResponsesApi : OpenAiApiBase
{
    public override SyntheticProvider Provider => SyntheticProvider.OpenAiResponses;

    public override IReadOnlyList<ModelChoice> Models(ClientKind client) =>
    [
        new("gpt-5", "gpt-5-2025-08-07", Reasons: true),
        new("gpt-4.1", "gpt-4.1-2025-04-14"),
    ];

    public override string Path(ModelChoice model, bool stream, ClientKind client) => "/v1/responses";

    public override string RequestBody(LlmRequest request, ClientKind client)
    {
        var input = new JsonArray();
        foreach (var turn in request.Turns)
        {
            switch (turn)
            {
                case UserTurn user:
                    input.Add(new JsonObject
                    {
                        ["role"] = "user",
                        ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = user.Text }),
                    });
                    break;
                case AssistantTurn assistant:
                    if (!string.IsNullOrEmpty(assistant.Text))
                    {
                        input.Add(new JsonObject
                        {
                            ["type"] = "message",
                            ["role"] = "assistant",
                            ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = assistant.Text }),
                        });
                    }
                    if (assistant.ToolCall is { } call)
                    {
                        input.Add(new JsonObject
                        {
                            ["type"] = "function_call",
                            ["call_id"] = call.Id,
                            ["name"] = call.Name,
                            ["arguments"] = call.ArgumentsJson,
                        });
                    }
                    break;
                case ToolResultTurn result:
                    input.Add(new JsonObject { ["type"] = "function_call_output", ["call_id"] = result.Call.Id, ["output"] = result.Output });
                    break;
            }
        }
        var body = new JsonObject
        {
            ["model"] = request.Model,
            ["instructions"] = request.System,
            ["input"] = input,
            ["max_output_tokens"] = request.MaxTokens,
        };
        if (request.Tools.Count > 0)
        {
            var tools = new JsonArray();
            foreach (var tool in request.Tools)
            {
                tools.Add(new JsonObject
                {
                    ["type"] = "function",
                    ["name"] = tool.Name,
                    ["description"] = tool.Description,
                    ["parameters"] = ParseObject(tool.ParametersJson),
                    ["strict"] = false,
                });
            }
            body["tools"] = tools;
        }
        body["store"] = false;
        body["stream"] = request.Stream;
        return WireJson.Write(body);
    }

    public override ApiResponse Respond(ResponseContext context)
    {
        var random = context.Random;
        var id = "resp_" + random.Chars(50, Hex);
        var answer = context.Answer;
        var reasoningId = context.Usage.ReasoningTokens > 0 ? "rs_" + random.Chars(50, Hex) : null;
        var messageId = answer.Text.Length > 0 ? "msg_" + random.Chars(50, Hex) : null;
        var functionId = answer.ToolCall is not null ? "fc_" + random.Chars(50, Hex) : null;

        JsonObject Snapshot(string status, JsonArray output, JsonObject? usage) => new()
        {
            ["id"] = id,
            ["object"] = "response",
            ["created_at"] = context.CreatedUnixSeconds,
            ["status"] = status,
            ["background"] = false,
            ["error"] = null,
            ["incomplete_details"] = null,
            ["max_output_tokens"] = context.Request.MaxTokens,
            ["model"] = context.Model.Responded,
            ["output"] = output,
            ["parallel_tool_calls"] = true,
            ["previous_response_id"] = null,
            ["store"] = false,
            ["temperature"] = context.Request.Temperature,
            ["tool_choice"] = "auto",
            ["top_p"] = 1.0,
            ["truncation"] = "disabled",
            ["usage"] = usage,
            ["metadata"] = new JsonObject(),
        };

        JsonArray FinalOutput()
        {
            var output = new JsonArray();
            if (reasoningId is not null)
            {
                output.Add(ReasoningItem(reasoningId));
            }
            if (messageId is not null)
            {
                output.Add(MessageItem(messageId, "completed", answer.Text));
            }
            if (answer.ToolCall is { } call)
            {
                output.Add(FunctionItem(functionId!, "completed", call, call.ArgumentsJson));
            }
            return output;
        }

        if (!context.Request.Stream)
        {
            return new ApiResponse { ResponseId = id, FinishReason = "completed", Body = WireJson.Write(Snapshot("completed", FinalOutput(), Usage(context.Usage))) };
        }

        var events = new List<string>();
        var sequence = 0;
        void Event(string type, JsonObject fields)
        {
            var data = new JsonObject { ["type"] = type, ["sequence_number"] = sequence++ };
            foreach (var (name, value) in fields.ToList())
            {
                fields.Remove(name);
                data[name] = value;
            }
            events.Add(Sse(type, data));
        }

        Event("response.created", new JsonObject { ["response"] = Snapshot("in_progress", [], null) });
        Event("response.in_progress", new JsonObject { ["response"] = Snapshot("in_progress", [], null) });
        var outputIndex = 0;
        if (reasoningId is not null)
        {
            Event("response.output_item.added", new JsonObject { ["output_index"] = outputIndex, ["item"] = ReasoningItem(reasoningId) });
            Event("response.output_item.done", new JsonObject { ["output_index"] = outputIndex, ["item"] = ReasoningItem(reasoningId) });
            outputIndex++;
        }
        if (messageId is not null)
        {
            Event("response.output_item.added", new JsonObject { ["output_index"] = outputIndex, ["item"] = MessageItem(messageId, "in_progress", null) });
            Event("response.content_part.added", new JsonObject
            {
                ["item_id"] = messageId,
                ["output_index"] = outputIndex,
                ["content_index"] = 0,
                ["part"] = TextPart(""),
            });
            foreach (var piece in SplitText(answer.Text, random, 1, 12))
            {
                Event("response.output_text.delta", new JsonObject
                {
                    ["item_id"] = messageId,
                    ["output_index"] = outputIndex,
                    ["content_index"] = 0,
                    ["delta"] = piece,
                    ["logprobs"] = new JsonArray(),
                    ["obfuscation"] = Obfuscation(random),
                });
            }
            Event("response.output_text.done", new JsonObject
            {
                ["item_id"] = messageId,
                ["output_index"] = outputIndex,
                ["content_index"] = 0,
                ["text"] = answer.Text,
                ["logprobs"] = new JsonArray(),
            });
            Event("response.content_part.done", new JsonObject
            {
                ["item_id"] = messageId,
                ["output_index"] = outputIndex,
                ["content_index"] = 0,
                ["part"] = TextPart(answer.Text),
            });
            Event("response.output_item.done", new JsonObject { ["output_index"] = outputIndex, ["item"] = MessageItem(messageId, "completed", answer.Text) });
            outputIndex++;
        }
        if (answer.ToolCall is { } toolCall)
        {
            Event("response.output_item.added", new JsonObject { ["output_index"] = outputIndex, ["item"] = FunctionItem(functionId!, "in_progress", toolCall, "") });
            foreach (var piece in SplitText(toolCall.ArgumentsJson, random, 3, 16))
            {
                Event("response.function_call_arguments.delta", new JsonObject
                {
                    ["item_id"] = functionId,
                    ["output_index"] = outputIndex,
                    ["delta"] = piece,
                    ["obfuscation"] = Obfuscation(random),
                });
            }
            Event("response.function_call_arguments.done", new JsonObject
            {
                ["item_id"] = functionId,
                ["output_index"] = outputIndex,
                ["arguments"] = toolCall.ArgumentsJson,
            });
            Event("response.output_item.done", new JsonObject { ["output_index"] = outputIndex, ["item"] = FunctionItem(functionId!, "completed", toolCall, toolCall.ArgumentsJson) });
        }
        Event("response.completed", new JsonObject { ["response"] = Snapshot("completed", FinalOutput(), Usage(context.Usage)) });
        return new ApiResponse { ResponseId = id, FinishReason = "completed", Events = events };
    }

    private static JsonObject ReasoningItem(string id) => new() { ["id"] = id, ["type"] = "reasoning", ["summary"] = new JsonArray() };

    private static JsonObject TextPart(string text) => new()
    {
        ["type"] = "output_text",
        ["annotations"] = new JsonArray(),
        ["logprobs"] = new JsonArray(),
        ["text"] = text,
    };

    private static JsonObject MessageItem(string id, string status, string? text) => new()
    {
        ["id"] = id,
        ["type"] = "message",
        ["status"] = status,
        ["content"] = text is null ? new JsonArray() : new JsonArray(TextPart(text)),
        ["role"] = "assistant",
    };

    private static JsonObject FunctionItem(string id, string status, SyntheticToolCall call, string arguments) => new()
    {
        ["id"] = id,
        ["type"] = "function_call",
        ["status"] = status,
        ["arguments"] = arguments,
        ["call_id"] = call.Id,
        ["name"] = call.Name,
    };

    private static JsonObject Usage(TokenUsage usage) => new()
    {
        ["input_tokens"] = usage.InputTokens,
        ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = usage.CachedInputTokens },
        ["output_tokens"] = usage.OutputTokens,
        ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = usage.ReasoningTokens },
        ["total_tokens"] = usage.TotalTokens(SyntheticProvider.OpenAiResponses),
    };
}
