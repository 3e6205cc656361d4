using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.JsonNodes;
using static AgentSight.Plugins.Llm.GenAiFields;

namespace AgentSight.Plugins.Llm.Apis;

/// <summary>
/// OpenAI's Chat Completions API (<c>/chat/completions</c>) and the many providers that speak it (OpenRouter,
/// DeepSeek, Groq, Mistral, Azure, a local server on another port).
/// </summary>
internal sealed class OpenAiChatApi : IModelApi
{
    /// <inheritdoc />
    public bool MayCall(string path) => path.EndsWith("/chat/completions", StringComparison.Ordinal);

    /// <inheritdoc />
    public CallTarget? Detect(string path, string host, string? rawHost, JsonNode? body)
    {
        if (body is null)
        {
            return path.EndsWith("/v1/chat/completions", StringComparison.Ordinal) || path.EndsWith("/openai/chat/completions", StringComparison.Ordinal)
                ? new CallTarget(this, CallTarget.OpenAiCompatible(host, rawHost), "chat")
                : null;
        }
        return body is JsonObject request && path.EndsWith("/chat/completions", StringComparison.Ordinal) && request.ContainsKey("messages")
            ? new CallTarget(this, CallTarget.OpenAiCompatible(host, rawHost), "chat")
            : null;
    }

    /// <inheritdoc />
    public void Tag(JsonObject fields) => fields["openai.api.type"] = "chat_completions";

    /// <inheritdoc />
    public void MapRequest(CallTarget call, JsonObject body, string path, JsonObject fields, LlmAnalyzerConfig config)
    {
        Set(fields, "gen_ai.request.model", Json.Str(body, "model"));
        Set(fields, "gen_ai.request.max_tokens", Json.Long(body, "max_completion_tokens") ?? Json.Long(body, "max_tokens"));
        Set(fields, "gen_ai.request.temperature", Json.Double(body, "temperature"));
        Set(fields, "gen_ai.request.top_p", Json.Double(body, "top_p"));
        Set(fields, "gen_ai.request.frequency_penalty", Json.Double(body, "frequency_penalty"));
        Set(fields, "gen_ai.request.presence_penalty", Json.Double(body, "presence_penalty"));
        Set(fields, "gen_ai.request.seed", Json.Long(body, "seed"));
        Set(fields, "gen_ai.request.choice.count", Json.Long(body, "n"));
        Set(fields, "gen_ai.request.stop_sequences", Json.Str(body, "stop") is { } stop ? new JsonArray(stop) : Json.Copy(body["stop"]));
        Set(fields, "gen_ai.request.stream", Json.Bool(body, "stream") ?? false);
        if (config.IncludeInput)
        {
            fields["gen_ai.input.messages"] = ChatMessages(Json.Arr(body, "messages"));
        }
        if (config.IncludeTools && Json.Arr(body, "tools") is { } tools)
        {
            fields["gen_ai.tool.definitions"] = ChatToolDefinitions(tools);
        }
    }

    /// <summary>OpenAI Chat tools (also Ollama's): <c>{type: function, function: {name, description, parameters}}</c>.</summary>
    public static JsonArray ChatToolDefinitions(JsonArray tools)
    {
        var definitions = new JsonArray();
        foreach (var tool in tools)
        {
            var function = Json.Obj(tool, "function");
            definitions.Add(function is not null
                ? Function(Json.Str(function, "name"), Json.Str(function, "description"), Json.Copy(function["parameters"]))
                : Json.Copy(tool));
        }
        return definitions;
    }

    /// <summary>OpenAI Chat messages (also Ollama's) as input messages.</summary>
    public static JsonArray ChatMessages(JsonArray? source)
    {
        var messages = new JsonArray();
        foreach (var message in source ?? [])
        {
            var role = Json.Str(message, "role") ?? "user";
            var parts = new JsonArray();
            if (role == "tool")
            {
                parts.Add(new JsonObject
                {
                    ["type"] = "tool_call_response",
                    ["id"] = Json.Str(message, "tool_call_id"),
                    ["response"] = ChatContentText(message?["content"]) is { } text ? JsonValue.Create(text) : Json.Copy(message?["content"]),
                });
                messages.Add(Message("tool", parts));
                continue;
            }
            if ((Json.Str(message, "reasoning_content") ?? Json.Str(message, "thinking")) is { Length: > 0 } reasoning)
            {
                parts.Add(new JsonObject { ["type"] = "reasoning", ["content"] = reasoning });
            }
            var content = message?["content"];
            if (Json.Str(content) is { } plain)
            {
                parts.Add(TextPart(plain));
            }
            else if (content is JsonArray items)
            {
                foreach (var item in items)
                {
                    switch (Json.Str(item, "type"))
                    {
                        case "text" or "input_text":
                            parts.Add(TextPart(Json.Str(item, "text") ?? ""));
                            break;
                        case "image_url":
                            var url = Json.Str(Json.Obj(item, "image_url"), "url") ?? "";
                            parts.Add(url.StartsWith("data:", StringComparison.Ordinal)
                                ? DataUri(url)
                                : new JsonObject { ["type"] = "uri", ["modality"] = "image", ["uri"] = url });
                            break;
                        default:
                            parts.Add(Json.Copy(item));
                            break;
                    }
                }
            }
            foreach (var image in Json.Arr(message, "images") ?? [])
            {
                parts.Add(new JsonObject { ["type"] = "blob", ["modality"] = "image", ["content"] = Json.Copy(image) });
            }
            foreach (var call in Json.Arr(message, "tool_calls") ?? [])
            {
                var function = Json.Obj(call, "function");
                parts.Add(ToolCallPart(Json.Str(call, "id"), Json.Str(function, "name"), Json.Arguments(function?["arguments"])));
            }
            messages.Add(Message(role, parts));
        }
        return messages;
    }

    private static string? ChatContentText(JsonNode? content)
    {
        if (Json.Str(content) is { } text)
        {
            return text;
        }
        return content is JsonArray items && items.All(i => Json.Str(i, "type") == "text")
            ? string.Concat(items.Select(i => Json.Str(i, "text")))
            : null;
    }

    /// <inheritdoc />
    public JsonObject? Normalize(JsonNode? body)
    {
        if (body is not JsonObject completion)
        {
            return null;
        }
        if (completion["error"] is JsonObject error)
        {
            return new JsonObject { ["error"] = Json.Copy(error) };
        }
        var result = new JsonObject
        {
            ["id"] = Json.Str(completion, "id"),
            ["model"] = Json.Str(completion, "model"),
            ["usage"] = Json.Copy(completion["usage"]),
        };
        var choices = new JsonArray();
        foreach (var choice in Json.Arr(completion, "choices") ?? [])
        {
            var message = Json.Obj(choice, "message");
            var blocks = new JsonArray();
            if ((Json.Str(message, "reasoning_content") ?? Json.Str(message, "reasoning")) is { Length: > 0 } reasoning)
            {
                blocks.Add(new JsonObject { ["type"] = "thinking", ["thinking"] = reasoning });
            }
            if (Json.Str(message, "content") is { Length: > 0 } text)
            {
                blocks.Add(new JsonObject { ["type"] = "text", ["text"] = text });
            }
            if (Json.Str(message, "refusal") is { Length: > 0 } refusal)
            {
                blocks.Add(new JsonObject { ["type"] = "refusal", ["refusal"] = refusal });
            }
            AddToolUses(blocks, message);
            choices.Add(new JsonObject
            {
                ["index"] = Json.Long(choice, "index") ?? choices.Count,
                ["content"] = blocks,
                ["stop_reason"] = Json.Str(choice, "finish_reason"),
            });
        }
        return NormalizedMessage.WithChoices(result, choices);
    }

    /// <summary>A message's <c>tool_calls</c> (OpenAI Chat's, also Ollama's) as <c>tool_use</c> blocks, arguments parsed.</summary>
    public static void AddToolUses(JsonArray blocks, JsonObject? message)
    {
        foreach (var call in Json.Arr(message, "tool_calls") ?? [])
        {
            var function = Json.Obj(call, "function");
            blocks.Add(new JsonObject
            {
                ["type"] = "tool_use",
                ["id"] = Json.Str(call, "id"),
                ["name"] = Json.Str(function, "name"),
                ["input"] = Json.Arguments(function?["arguments"]),
            });
        }
    }

    /// <inheritdoc />
    public TokenUsage ReadUsage(JsonObject usage)
    {
        var promptDetails = Json.Obj(usage, "prompt_tokens_details");
        return new TokenUsage(
            Json.Long(usage, "prompt_tokens") ?? Json.Long(usage, "input_tokens"),
            Json.Long(usage, "completion_tokens") ?? Json.Long(usage, "output_tokens"),
            Json.Long(promptDetails, "cached_tokens"),
            Json.Long(promptDetails, "cache_write_tokens"),
            Json.Long(Json.Obj(usage, "completion_tokens_details"), "reasoning_tokens"));
    }
}
