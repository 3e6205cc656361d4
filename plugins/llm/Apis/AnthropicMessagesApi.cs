using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.JsonNodes;
using static AgentSight.Plugins.Llm.GenAiFields;

namespace AgentSight.Plugins.Llm.Apis;

/// <summary>
/// Anthropic's Messages API (<c>/v1/messages</c>), also through AWS Bedrock and Google Vertex AI
/// (<c>…/publishers/anthropic/models/{model}:rawPredict</c>).
/// </summary>
internal sealed class AnthropicMessagesApi : IModelApi
{
    /// <inheritdoc />
    public bool MayCall(string path) =>
        path.EndsWith("/messages", StringComparison.Ordinal) || path.EndsWith("Predict", StringComparison.Ordinal);

    /// <inheritdoc />
    public CallTarget? Detect(string path, string host, string? rawHost, JsonNode? body)
    {
        if (path.EndsWith(":rawPredict", StringComparison.Ordinal) || path.EndsWith(":streamRawPredict", StringComparison.Ordinal))
        {
            return path.Contains("/publishers/anthropic/", StringComparison.Ordinal) && body is JsonObject { } vertex && vertex.ContainsKey("messages")
                ? new CallTarget(this, "gcp.vertex_ai", "chat")
                : null;
        }
        if (body is null)
        {
            // The body could not be read (cut at the cap, an unknown compression): only the unmistakable path counts.
            return path.EndsWith("/v1/messages", StringComparison.Ordinal) ? new CallTarget(this, "anthropic", "chat") : null;
        }
        if (body is JsonObject request && (path.EndsWith("/v1/messages", StringComparison.Ordinal)
            || (path.EndsWith("/messages", StringComparison.Ordinal) && request.ContainsKey("max_tokens"))))
        {
            return request.ContainsKey("messages") && request.ContainsKey("model")
                ? new CallTarget(this, host.EndsWith("amazonaws.com", StringComparison.Ordinal) ? "aws.bedrock" : "anthropic", "chat")
                : null;
        }
        return null;
    }

    /// <inheritdoc />
    public void MapRequest(CallTarget call, JsonObject body, string path, JsonObject fields, LlmAnalyzerConfig config)
    {
        Set(fields, "gen_ai.request.model", Json.Str(body, "model") ?? ModelInPath(path));
        Set(fields, "gen_ai.request.max_tokens", Json.Long(body, "max_tokens"));
        Set(fields, "gen_ai.request.temperature", Json.Double(body, "temperature"));
        Set(fields, "gen_ai.request.top_p", Json.Double(body, "top_p"));
        Set(fields, "gen_ai.request.top_k", Json.Double(body, "top_k"));
        Set(fields, "gen_ai.request.stop_sequences", Json.Copy(body["stop_sequences"]));
        Set(fields, "gen_ai.request.stream", Json.Bool(body, "stream") ?? path.EndsWith(":streamRawPredict", StringComparison.Ordinal));
        if (config.IncludeInput)
        {
            if (body["system"] is JsonNode system)
            {
                Set(fields, "gen_ai.system_instructions", Json.Str(system) is { } text ? new JsonArray(TextPart(text)) : AnthropicParts(system));
            }
            var messages = new JsonArray();
            foreach (var message in Json.Arr(body, "messages") ?? [])
            {
                var role = Json.Str(message, "role") ?? "user";
                var parts = AnthropicParts(message?["content"]);
                // A user turn made only of tool results is the tool's answer.
                if (role == "user" && parts.Count > 0 && parts.All(p => Json.Str(p, "type") == "tool_call_response"))
                {
                    role = "tool";
                }
                messages.Add(Message(role, parts));
            }
            fields["gen_ai.input.messages"] = messages;
        }
        if (config.IncludeTools && Json.Arr(body, "tools") is { } tools)
        {
            var definitions = new JsonArray();
            foreach (var tool in tools)
            {
                definitions.Add(Json.Obj(tool, "input_schema") is not null || Json.Str(tool, "type") is null or "custom"
                    ? Function(Json.Str(tool, "name"), Json.Str(tool, "description"), Json.Copy(tool?["input_schema"]))
                    : Json.Copy(tool));
            }
            fields["gen_ai.tool.definitions"] = definitions;
        }
    }

    /// <summary>Anthropic content (a string or blocks) as parts.</summary>
    public static JsonArray AnthropicParts(JsonNode? content)
    {
        var parts = new JsonArray();
        if (Json.Str(content) is { } text)
        {
            parts.Add(TextPart(text));
            return parts;
        }
        foreach (var block in content as JsonArray ?? [])
        {
            switch (Json.Str(block, "type"))
            {
                case "text":
                    parts.Add(TextPart(Json.Str(block, "text") ?? ""));
                    break;
                case "thinking":
                    parts.Add(new JsonObject { ["type"] = "reasoning", ["content"] = Json.Str(block, "thinking") });
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
                case "tool_result":
                    parts.Add(new JsonObject
                    {
                        ["type"] = "tool_call_response",
                        ["id"] = Json.Str(block, "tool_use_id"),
                        ["response"] = ToolResult(block?["content"]),
                    });
                    break;
                case "image" or "document":
                    parts.Add(Media(block));
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

    private static JsonNode? ToolResult(JsonNode? content)
    {
        if (content is JsonArray blocks && blocks.All(b => Json.Str(b, "type") == "text"))
        {
            return string.Concat(blocks.Select(b => Json.Str(b, "text")));
        }
        return Json.Copy(content);
    }

    private static JsonObject Media(JsonNode? block)
    {
        var source = Json.Obj(block, "source");
        var modality = Json.Str(block, "type") == "image" ? "image" : "document";
        return Json.Str(source, "type") switch
        {
            "base64" => new JsonObject
            {
                ["type"] = "blob",
                ["modality"] = modality,
                ["mime_type"] = Json.Str(source, "media_type"),
                ["content"] = Json.Str(source, "data"),
            },
            "url" => new JsonObject { ["type"] = "uri", ["modality"] = modality, ["uri"] = Json.Str(source, "url") },
            _ => Json.Copy(block) as JsonObject ?? [],
        };
    }

    /// <inheritdoc />
    public JsonObject? Normalize(JsonNode? body)
    {
        if (body is not JsonObject message)
        {
            return null;
        }
        if (Json.Str(message, "type") == "error")
        {
            return new JsonObject { ["error"] = Json.Copy(message["error"]) };
        }
        return new JsonObject
        {
            ["id"] = Json.Str(message, "id"),
            ["model"] = Json.Str(message, "model"),
            ["content"] = Json.Copy(message["content"]) as JsonArray ?? [],
            ["stop_reason"] = Json.Str(message, "stop_reason"),
            ["usage"] = Json.Copy(message["usage"]),
        };
    }

    /// <inheritdoc />
    public TokenUsage ReadUsage(JsonObject usage)
    {
        var baseInput = Json.Long(usage, "input_tokens");
        var cacheRead = Json.Long(usage, "cache_read_input_tokens");
        var cacheCreation = Json.Long(usage, "cache_creation_input_tokens");
        // Anthropic's input_tokens excludes the cache; the conventions count it in.
        long? input = baseInput is null && cacheRead is null && cacheCreation is null
            ? null
            : (baseInput ?? 0) + (cacheRead ?? 0) + (cacheCreation ?? 0);
        return new TokenUsage(input, Json.Long(usage, "output_tokens"), cacheRead, cacheCreation,
            Json.Long(Json.Obj(usage, "output_tokens_details"), "thinking_tokens"));
    }
}
