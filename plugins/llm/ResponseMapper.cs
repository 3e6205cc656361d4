using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.JsonNodes;
using AgentSight.Plugins.Llm.Apis;
using static AgentSight.Plugins.Llm.GenAiFields;

namespace AgentSight.Plugins.Llm;

/// <summary>
/// The response side in OpenTelemetry GenAI terms, from a normalized message (an <c>sse</c> event's
/// <c>message</c> or an API's <see cref="IModelApi.Normalize"/>): response id and model, finish reasons as the provider said
/// them, output messages (one per choice, with <c>finish_reason</c> mapped to the conventions' values) and usage.
/// </summary>
internal static class ResponseMapper
{
    public static void Map(IModelApi api, JsonObject message, JsonObject fields, bool includeOutput)
    {
        Set(fields, "gen_ai.response.id", Json.Str(message, "id"));
        Set(fields, "gen_ai.response.model", Json.Str(message, "model"));

        var choices = new List<(JsonArray? Content, string? StopReason)> { (Json.Arr(message, "content"), Json.Str(message, "stop_reason")) };
        foreach (var choice in Json.Arr(message, "choices") ?? [])
        {
            choices.Add((Json.Arr(choice, "content"), Json.Str(choice, "stop_reason")));
        }
        var reasons = new JsonArray();
        foreach (var (_, stop) in choices)
        {
            if (stop is not null)
            {
                reasons.Add(stop);
            }
        }
        if (reasons.Count > 0)
        {
            fields["gen_ai.response.finish_reasons"] = reasons;
        }
        if (includeOutput && choices.Any(c => c.Content is { Count: > 0 } || c.StopReason is not null))
        {
            var output = new JsonArray();
            foreach (var (content, stop) in choices)
            {
                var parts = Parts(content);
                output.Add(new JsonObject
                {
                    ["role"] = "assistant",
                    ["parts"] = parts,
                    ["finish_reason"] = FinishReason(stop, parts, message["error"] is not null),
                });
            }
            fields["gen_ai.output.messages"] = output;
        }
        if (Json.Obj(message, "usage") is { } usage)
        {
            Usage(api, usage, fields);
        }
    }

    /// <summary>Content blocks as GenAI parts.</summary>
    public static JsonArray Parts(JsonArray? content)
    {
        var parts = new JsonArray();
        foreach (var block in content ?? [])
        {
            switch (Json.Str(block, "type"))
            {
                case "text":
                    parts.Add(TextPart(Json.Str(block, "text") ?? ""));
                    break;
                case "thinking":
                    parts.Add(new JsonObject { ["type"] = "reasoning", ["content"] = Json.Str(block, "thinking") ?? "" });
                    break;
                case "redacted_thinking":
                    parts.Add(RedactedReasoningPart());
                    break;
                case "tool_use":
                    parts.Add(ToolCallPart(Json.Str(block, "id"), Json.Str(block, "name"), Json.Copy(block?["input"])));
                    break;
                case "server_tool_use":
                    parts.Add(ToolCallPart(Json.Str(block, "id"), Json.Str(block, "name"), Json.Copy(block?["input"]), "server_tool_call"));
                    break;
                case "refusal":
                    parts.Add(new JsonObject { ["type"] = "refusal", ["content"] = Json.Str(block, "refusal") });
                    break;
                default:
                    if (block is not null)
                    {
                        parts.Add(Json.Copy(block));
                    }
                    break;
            }
        }
        return parts;
    }

    /// <summary>The conventions' finish reason (<c>stop</c>, <c>length</c>, <c>content_filter</c>, <c>tool_call</c>, <c>error</c>) for a provider's.</summary>
    public static string FinishReason(string? stop, JsonArray parts, bool error)
    {
        if (error)
        {
            return "error";
        }
        return stop switch
        {
            "end_turn" or "stop_sequence" or "stop" or "STOP" or "FINISH_REASON_STOP" => "stop",
            "max_tokens" or "MAX_TOKENS" or "length" or "max_output_tokens" or "model_context_window_exceeded" => "length",
            "tool_use" or "tool_calls" or "function_call" => "tool_call",
            "refusal" or "content_filter" or "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII"
                or "IMAGE_SAFETY" or "LANGUAGE" => "content_filter",
            "failed" or "MALFORMED_FUNCTION_CALL" or "UNEXPECTED_TOOL_CALL" => "error",
            // The Responses API says "completed" whether the model answered or called a tool; Gemini says STOP.
            "completed" => parts.Any(p => Json.Str(p, "type") == "tool_call") ? "tool_call" : "stop",
            null => "error",
            _ => stop,
        };
    }

    /// <summary>Token usage in the conventions' terms: input includes cached tokens, reasoning is inside output.</summary>
    public static void Usage(IModelApi api, JsonObject usage, JsonObject fields)
    {
        var tokens = api.ReadUsage(usage);
        Set(fields, "gen_ai.usage.input_tokens", tokens.Input);
        Set(fields, "gen_ai.usage.output_tokens", tokens.Output);
        Set(fields, "gen_ai.usage.cache_read.input_tokens", tokens.CacheRead);
        Set(fields, "gen_ai.usage.cache_creation.input_tokens", tokens.CacheCreation);
        Set(fields, "gen_ai.usage.reasoning.output_tokens", tokens.Reasoning);
    }

    /// <summary>
    /// The conventions' <c>error.type</c> for an error object as providers send it (Anthropic <c>error.type</c>,
    /// OpenAI <c>type</c>/<c>code</c>, Gemini <c>status</c>), or null.
    /// </summary>
    public static string? ErrorType(JsonNode? error)
    {
        if (error is null)
        {
            return null;
        }
        if (Json.Str(error) is { } text)
        {
            return text.Length <= 64 ? text : "error";
        }
        return Json.Str(error, "type") ?? Json.Str(error, "code") ?? Json.Str(error, "status")
            ?? (Json.Long(error, "code") is { } code ? code.ToString(System.Globalization.CultureInfo.InvariantCulture) : null)
            ?? "error";
    }
}
