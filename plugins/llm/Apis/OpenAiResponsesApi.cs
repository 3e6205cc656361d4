using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.JsonNodes;
using static AgentSight.Plugins.Llm.GenAiFields;

namespace AgentSight.Plugins.Llm.Apis;

/// <summary>OpenAI's Responses API (<c>/v1/responses</c>, Codex's <c>/codex/responses</c>), over HTTP or a WebSocket.</summary>
internal sealed class OpenAiResponsesApi : IModelApi
{
    /// <inheritdoc />
    public bool MayCall(string path) => path.EndsWith("/responses", StringComparison.Ordinal);

    /// <inheritdoc />
    public CallTarget? Detect(string path, string host, string? rawHost, JsonNode? body)
    {
        if (body is null)
        {
            return path.EndsWith("/v1/responses", StringComparison.Ordinal) || path.EndsWith("/codex/responses", StringComparison.Ordinal)
                ? new CallTarget(this, CallTarget.OpenAiCompatible(host, rawHost), "chat")
                : null;
        }
        return body is JsonObject request && path.EndsWith("/responses", StringComparison.Ordinal)
            && (request.ContainsKey("input") || request.ContainsKey("model") && request.ContainsKey("instructions"))
            ? new CallTarget(this, CallTarget.OpenAiCompatible(host, rawHost), "chat")
            : null;
    }

    /// <inheritdoc />
    public void Tag(JsonObject fields) => fields["openai.api.type"] = "responses";

    /// <inheritdoc />
    public void MapRequest(CallTarget call, JsonObject body, string path, JsonObject fields, LlmAnalyzerConfig config)
    {
        Set(fields, "gen_ai.request.model", Json.Str(body, "model"));
        Set(fields, "gen_ai.request.max_tokens", Json.Long(body, "max_output_tokens"));
        Set(fields, "gen_ai.request.temperature", Json.Double(body, "temperature"));
        Set(fields, "gen_ai.request.top_p", Json.Double(body, "top_p"));
        Set(fields, "gen_ai.request.stream", Json.Bool(body, "stream") ?? false);
        if (config.IncludeInput)
        {
            if (Json.Str(body, "instructions") is { } instructions)
            {
                fields["gen_ai.system_instructions"] = new JsonArray(TextPart(instructions));
            }
            var messages = new JsonArray();
            var input = body["input"];
            if (Json.Str(input) is { } prompt)
            {
                messages.Add(Message("user", [TextPart(prompt)]));
            }
            foreach (var item in input as JsonArray ?? [])
            {
                switch (Json.Str(item, "type") ?? (Json.Str(item, "role") is not null ? "message" : null))
                {
                    case "message":
                        var parts = new JsonArray();
                        var content = item?["content"];
                        if (Json.Str(content) is { } text)
                        {
                            parts.Add(TextPart(text));
                        }
                        foreach (var part in content as JsonArray ?? [])
                        {
                            switch (Json.Str(part, "type"))
                            {
                                case "input_text" or "output_text" or "text":
                                    parts.Add(TextPart(Json.Str(part, "text") ?? ""));
                                    break;
                                case "input_image":
                                    parts.Add(Json.Str(part, "image_url") is { } image && image.StartsWith("data:", StringComparison.Ordinal)
                                        ? DataUri(image)
                                        : new JsonObject { ["type"] = "uri", ["modality"] = "image", ["uri"] = Json.Str(part, "image_url") });
                                    break;
                                default:
                                    parts.Add(Json.Copy(part));
                                    break;
                            }
                        }
                        var role = Json.Str(item, "role") ?? "user";
                        messages.Add(Message(role == "developer" ? "system" : role, parts));
                        break;
                    case "function_call" or "custom_tool_call":
                        messages.Add(Message("assistant",
                            [ToolCallPart(Json.Str(item, "call_id"), Json.Str(item, "name"), Json.Arguments(item?["arguments"] ?? item?["input"]))]));
                        break;
                    case "function_call_output" or "custom_tool_call_output":
                        messages.Add(Message("tool", [new JsonObject
                        {
                            ["type"] = "tool_call_response",
                            ["id"] = Json.Str(item, "call_id"),
                            ["response"] = Json.Copy(item?["output"]),
                        }]));
                        break;
                    case "reasoning":
                        var summary = string.Concat((Json.Arr(item, "summary") ?? []).Select(s => Json.Str(s, "text")));
                        messages.Add(Message("assistant", [new JsonObject { ["type"] = "reasoning", ["content"] = summary }]));
                        break;
                    default:
                        if (item is not null)
                        {
                            messages.Add(Message("user", [Json.Copy(item)]));
                        }
                        break;
                }
            }
            fields["gen_ai.input.messages"] = messages;
        }
        if (config.IncludeTools && Json.Arr(body, "tools") is { } tools)
        {
            var definitions = new JsonArray();
            foreach (var tool in tools)
            {
                definitions.Add(Json.Str(tool, "type") == "function"
                    ? Function(Json.Str(tool, "name"), Json.Str(tool, "description"), Json.Copy(tool?["parameters"]))
                    : Json.Copy(tool));
            }
            fields["gen_ai.tool.definitions"] = definitions;
        }
    }

    /// <inheritdoc />
    public JsonObject? Normalize(JsonNode? body)
    {
        if (body is not JsonObject response)
        {
            return null;
        }
        if (Json.Str(response, "object") != "response" && response["error"] is JsonObject error)
        {
            return new JsonObject { ["error"] = Json.Copy(error) };
        }
        var blocks = new JsonArray();
        foreach (var item in Json.Arr(response, "output") ?? [])
        {
            switch (Json.Str(item, "type"))
            {
                case "message":
                    var text = new StringBuilder();
                    foreach (var part in Json.Arr(item, "content") ?? [])
                    {
                        if (Json.Str(part, "type") == "output_text")
                        {
                            text.Append(Json.Str(part, "text"));
                        }
                        else if (Json.Str(part, "type") == "refusal")
                        {
                            blocks.Add(new JsonObject { ["type"] = "refusal", ["refusal"] = Json.Str(part, "refusal") });
                        }
                    }
                    if (text.Length > 0)
                    {
                        blocks.Add(new JsonObject { ["type"] = "text", ["text"] = text.ToString() });
                    }
                    break;
                case "function_call" or "custom_tool_call":
                    blocks.Add(new JsonObject
                    {
                        ["type"] = "tool_use",
                        ["id"] = Json.Str(item, "call_id"),
                        ["name"] = Json.Str(item, "name"),
                        ["input"] = Json.Arguments(item?["arguments"] ?? item?["input"]),
                    });
                    break;
                case "reasoning":
                    var summary = string.Concat((Json.Arr(item, "summary") ?? []).Select(s => Json.Str(s, "text")));
                    blocks.Add(new JsonObject { ["type"] = "thinking", ["thinking"] = summary });
                    break;
                default:
                    blocks.Add(Json.Copy(item));
                    break;
            }
        }
        var status = Json.Str(response, "status");
        return new JsonObject
        {
            ["id"] = Json.Str(response, "id"),
            ["model"] = Json.Str(response, "model"),
            ["content"] = blocks,
            ["stop_reason"] = Json.Str(Json.Obj(response, "incomplete_details"), "reason") ?? status,
            ["status"] = status,
            ["usage"] = Json.Copy(response["usage"]),
            ["error"] = Json.Copy(response["error"]),
        };
    }

    /// <inheritdoc />
    public TokenUsage ReadUsage(JsonObject usage)
    {
        var inputDetails = Json.Obj(usage, "input_tokens_details");
        return new TokenUsage(
            Json.Long(usage, "input_tokens"),
            Json.Long(usage, "output_tokens"),
            Json.Long(inputDetails, "cached_tokens"),
            Json.Long(inputDetails, "cache_write_tokens"),
            Json.Long(Json.Obj(usage, "output_tokens_details"), "reasoning_tokens"));
    }
}
