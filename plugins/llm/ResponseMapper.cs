using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Llm;

/// <summary>
/// The response side in OpenTelemetry GenAI terms, from a normalized message (an <c>sse</c> event's
/// <c>message</c> or <see cref="ResponseNormalizer"/>'s): response id and model, finish reasons as the provider said
/// them, output messages (one per choice, with <c>finish_reason</c> mapped to the conventions' values) and usage.
/// </summary>
internal static class ResponseMapper
{
    public static void Map(ApiKind api, JsonObject message, JsonObject fields, bool includeOutput)
    {
        RequestMapper.Set(fields, "gen_ai.response.id", Json.Str(message, "id"));
        RequestMapper.Set(fields, "gen_ai.response.model", Json.Str(message, "model"));

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
                    parts.Add(RequestMapper.TextPart(Json.Str(block, "text") ?? ""));
                    break;
                case "thinking":
                    parts.Add(new JsonObject { ["type"] = "reasoning", ["content"] = Json.Str(block, "thinking") ?? "" });
                    break;
                case "redacted_thinking":
                    parts.Add(RequestMapper.RedactedReasoningPart());
                    break;
                case "tool_use":
                    parts.Add(RequestMapper.ToolCallPart(Json.Str(block, "id"), Json.Str(block, "name"), Json.Copy(block?["input"])));
                    break;
                case "server_tool_use":
                    parts.Add(RequestMapper.ToolCallPart(Json.Str(block, "id"), Json.Str(block, "name"), Json.Copy(block?["input"]), "server_tool_call"));
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
    public static void Usage(ApiKind api, JsonObject usage, JsonObject fields)
    {
        long? input = null, output = null, cacheRead = null, cacheCreation = null, reasoning = null;
        switch (api)
        {
            case ApiKind.AnthropicMessages:
                var baseInput = Json.Long(usage, "input_tokens");
                cacheRead = Json.Long(usage, "cache_read_input_tokens");
                cacheCreation = Json.Long(usage, "cache_creation_input_tokens");
                // Anthropic's input_tokens excludes the cache; the conventions count it in.
                input = baseInput is null && cacheRead is null && cacheCreation is null
                    ? null
                    : (baseInput ?? 0) + (cacheRead ?? 0) + (cacheCreation ?? 0);
                output = Json.Long(usage, "output_tokens");
                reasoning = Json.Long(Json.Obj(usage, "output_tokens_details"), "thinking_tokens");
                break;
            case ApiKind.OpenAiChat:
                input = Json.Long(usage, "prompt_tokens") ?? Json.Long(usage, "input_tokens");
                output = Json.Long(usage, "completion_tokens") ?? Json.Long(usage, "output_tokens");
                var promptDetails = Json.Obj(usage, "prompt_tokens_details");
                cacheRead = Json.Long(promptDetails, "cached_tokens");
                cacheCreation = Json.Long(promptDetails, "cache_write_tokens");
                reasoning = Json.Long(Json.Obj(usage, "completion_tokens_details"), "reasoning_tokens");
                break;
            case ApiKind.OpenAiResponses:
                input = Json.Long(usage, "input_tokens");
                output = Json.Long(usage, "output_tokens");
                var inputDetails = Json.Obj(usage, "input_tokens_details");
                cacheRead = Json.Long(inputDetails, "cached_tokens");
                cacheCreation = Json.Long(inputDetails, "cache_write_tokens");
                reasoning = Json.Long(Json.Obj(usage, "output_tokens_details"), "reasoning_tokens");
                break;
            case ApiKind.Gemini:
                var prompt = Json.Long(usage, "promptTokenCount");
                var toolPrompt = Json.Long(usage, "toolUsePromptTokenCount");
                input = prompt is null && toolPrompt is null ? null : (prompt ?? 0) + (toolPrompt ?? 0);
                var candidates = Json.Long(usage, "candidatesTokenCount");
                reasoning = Json.Long(usage, "thoughtsTokenCount");
                // Gemini counts thoughts apart from the candidates; the conventions put reasoning inside output.
                output = candidates is null && reasoning is null ? null : (candidates ?? 0) + (reasoning ?? 0);
                cacheRead = Json.Long(usage, "cachedContentTokenCount");
                break;
            default:
                input = Json.Long(usage, "prompt_eval_count");
                output = Json.Long(usage, "eval_count");
                break;
        }
        RequestMapper.Set(fields, "gen_ai.usage.input_tokens", input);
        RequestMapper.Set(fields, "gen_ai.usage.output_tokens", output);
        RequestMapper.Set(fields, "gen_ai.usage.cache_read.input_tokens", cacheRead);
        RequestMapper.Set(fields, "gen_ai.usage.cache_creation.input_tokens", cacheCreation);
        RequestMapper.Set(fields, "gen_ai.usage.reasoning.output_tokens", reasoning);
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
