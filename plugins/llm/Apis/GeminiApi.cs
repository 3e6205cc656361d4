using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.JsonNodes;
using static AgentSight.Plugins.Llm.GenAiFields;

namespace AgentSight.Plugins.Llm.Apis;

/// <summary>Google's Gemini API (<c>…/models/{model}:generateContent</c>), also through Vertex AI and Code Assist.</summary>
internal sealed class GeminiApi : IModelApi
{
    /// <inheritdoc />
    public bool MayCall(string path) => path.EndsWith("Content", StringComparison.Ordinal);

    /// <inheritdoc />
    public CallTarget? Detect(string path, string host, string? rawHost, JsonNode? body)
    {
        if (!path.EndsWith(":generateContent", StringComparison.Ordinal) && !path.EndsWith(":streamGenerateContent", StringComparison.Ordinal))
        {
            return null;
        }
        if (body is null || (body is JsonObject gemini && (gemini.ContainsKey("contents") || Json.Obj(gemini, "request")?.ContainsKey("contents") == true)))
        {
            var provider = host.EndsWith("aiplatform.googleapis.com", StringComparison.Ordinal) ? "gcp.vertex_ai"
                : host == "generativelanguage.googleapis.com" ? "gcp.gemini"
                : "gcp.gen_ai";
            return new CallTarget(this, provider, "generate_content");
        }
        return null;
    }

    /// <inheritdoc />
    public void MapRequest(CallTarget call, JsonObject body, string path, JsonObject fields, LlmAnalyzerConfig config)
    {
        // Code Assist (cloudcode-pa v1internal) wraps the request and names the model in the body.
        var request = Json.Obj(body, "request") is { } wrapped && !body.ContainsKey("contents") ? wrapped : body;
        Set(fields, "gen_ai.request.model", Json.Str(body, "model") ?? ModelInPath(path));
        var generation = Json.Obj(request, "generationConfig");
        Set(fields, "gen_ai.request.max_tokens", Json.Long(generation, "maxOutputTokens"));
        Set(fields, "gen_ai.request.temperature", Json.Double(generation, "temperature"));
        Set(fields, "gen_ai.request.top_p", Json.Double(generation, "topP"));
        Set(fields, "gen_ai.request.top_k", Json.Double(generation, "topK"));
        Set(fields, "gen_ai.request.seed", Json.Long(generation, "seed"));
        Set(fields, "gen_ai.request.choice.count", Json.Long(generation, "candidateCount"));
        Set(fields, "gen_ai.request.stop_sequences", Json.Copy(generation?["stopSequences"]));
        Set(fields, "gen_ai.request.stream", path.EndsWith(":streamGenerateContent", StringComparison.Ordinal));
        if (config.IncludeInput)
        {
            if (Json.Obj(request, "systemInstruction") is { } system)
            {
                fields["gen_ai.system_instructions"] = GeminiParts(Json.Arr(system, "parts"));
            }
            else if (Json.Str(request, "systemInstruction") is { } systemText)
            {
                fields["gen_ai.system_instructions"] = new JsonArray(TextPart(systemText));
            }
            var messages = new JsonArray();
            foreach (var content in Json.Arr(request, "contents") ?? [])
            {
                var parts = GeminiParts(Json.Arr(content, "parts"));
                var role = Json.Str(content, "role") == "model" ? "assistant" : "user";
                if (role == "user" && parts.Count > 0 && parts.All(p => Json.Str(p, "type") == "tool_call_response"))
                {
                    role = "tool";
                }
                messages.Add(Message(role, parts));
            }
            fields["gen_ai.input.messages"] = messages;
        }
        if (config.IncludeTools && Json.Arr(request, "tools") is { } tools)
        {
            var definitions = new JsonArray();
            foreach (var tool in tools)
            {
                if (Json.Arr(tool, "functionDeclarations") is { } declarations)
                {
                    foreach (var declaration in declarations)
                    {
                        definitions.Add(Function(Json.Str(declaration, "name"), Json.Str(declaration, "description"),
                            Json.Copy(declaration?["parameters"] ?? declaration?["parametersJsonSchema"])));
                    }
                }
                else
                {
                    definitions.Add(Json.Copy(tool));
                }
            }
            fields["gen_ai.tool.definitions"] = definitions;
        }
    }

    /// <summary>Gemini parts as GenAI parts.</summary>
    public static JsonArray GeminiParts(JsonArray? source)
    {
        var parts = new JsonArray();
        foreach (var part in source ?? [])
        {
            if (Json.Str(part, "text") is { } text)
            {
                parts.Add(Json.Bool(part, "thought") == true
                    ? new JsonObject { ["type"] = "reasoning", ["content"] = text }
                    : TextPart(text));
            }
            else if (Json.Obj(part, "functionCall") is { } call)
            {
                parts.Add(ToolCallPart(Json.Str(call, "id"), Json.Str(call, "name"), Json.Copy(call["args"])));
            }
            else if (Json.Obj(part, "functionResponse") is { } response)
            {
                parts.Add(new JsonObject
                {
                    ["type"] = "tool_call_response",
                    ["id"] = Json.Str(response, "id") ?? Json.Str(response, "name"),
                    ["response"] = Json.Copy(response["response"]),
                });
            }
            else if (Json.Obj(part, "inlineData") is { } inline)
            {
                parts.Add(new JsonObject
                {
                    ["type"] = "blob",
                    ["mime_type"] = Json.Str(inline, "mimeType"),
                    ["content"] = Json.Str(inline, "data"),
                });
            }
            else if (Json.Obj(part, "fileData") is { } file)
            {
                parts.Add(new JsonObject { ["type"] = "uri", ["mime_type"] = Json.Str(file, "mimeType"), ["uri"] = Json.Str(file, "fileUri") });
            }
            else if (part is not null)
            {
                parts.Add(Json.Copy(part));
            }
        }
        return parts;
    }

    /// <inheritdoc />
    public JsonObject? Normalize(JsonNode? body)
    {
        // Without alt=sse a streamed call returns a JSON array of chunks; one call returns one object.
        var chunks = body switch
        {
            JsonArray array => array.OfType<JsonObject>().ToList(),
            JsonObject single => [single],
            _ => [],
        };
        if (chunks.Count == 0)
        {
            return null;
        }
        if (chunks[0]["error"] is JsonObject error)
        {
            return new JsonObject { ["error"] = Json.Copy(error) };
        }
        var result = new JsonObject();
        var candidates = new SortedDictionary<long, (JsonArray Blocks, string? Finish)>();
        foreach (var raw in chunks)
        {
            var chunk = raw["candidates"] is null && raw["response"] is JsonObject wrapped ? wrapped : raw;
            result["id"] = Json.Str(chunk, "responseId") ?? Json.Str(raw, "traceId") ?? Json.Str(result, "id");
            result["model"] = Json.Str(chunk, "modelVersion") ?? Json.Str(result, "model");
            if (chunk["usageMetadata"] is JsonObject usage)
            {
                result["usage"] = Json.Copy(usage);
            }
            if (Json.Str(Json.Obj(chunk, "promptFeedback"), "blockReason") is { } blocked)
            {
                result["block_reason"] = blocked;
            }
            var position = 0L;
            foreach (var candidate in Json.Arr(chunk, "candidates") ?? [])
            {
                var index = Json.Long(candidate, "index") ?? position;
                position++;
                if (!candidates.TryGetValue(index, out var entry))
                {
                    entry = ([], null);
                }
                foreach (var part in Json.Arr(Json.Obj(candidate, "content"), "parts") ?? [])
                {
                    AddGeminiPart(entry.Blocks, part);
                }
                entry.Finish = Json.Str(candidate, "finishReason") ?? entry.Finish;
                candidates[index] = entry;
            }
        }
        var choices = new JsonArray();
        foreach (var (index, (blocks, finish)) in candidates)
        {
            choices.Add(new JsonObject { ["index"] = index, ["content"] = blocks, ["stop_reason"] = finish });
        }
        if (choices.Count == 0 && result["block_reason"] is JsonValue reason)
        {
            choices.Add(new JsonObject { ["index"] = 0, ["content"] = new JsonArray(), ["stop_reason"] = reason.DeepClone() });
        }
        return NormalizedMessage.WithChoices(result, choices);
    }

    private static void AddGeminiPart(JsonArray blocks, JsonNode? part)
    {
        if (Json.Str(part, "text") is { } text)
        {
            var type = Json.Bool(part, "thought") == true ? "thinking" : "text";
            // Consecutive text parts are one block, as in a stream.
            if (blocks.Count > 0 && Json.Str(blocks[^1], "type") == type)
            {
                blocks[^1]![type] = Json.Str(blocks[^1], type) + text;
            }
            else
            {
                blocks.Add(new JsonObject { ["type"] = type, [type] = text });
            }
        }
        else if (Json.Obj(part, "functionCall") is { } call)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "tool_use",
                ["id"] = Json.Str(call, "id"),
                ["name"] = Json.Str(call, "name"),
                ["input"] = Json.Copy(call["args"]) ?? new JsonObject(),
            });
        }
        else if (part is not null)
        {
            blocks.Add(Json.Copy(part));
        }
    }

    /// <inheritdoc />
    public TokenUsage ReadUsage(JsonObject usage)
    {
        var prompt = Json.Long(usage, "promptTokenCount");
        var toolPrompt = Json.Long(usage, "toolUsePromptTokenCount");
        var candidates = Json.Long(usage, "candidatesTokenCount");
        var reasoning = Json.Long(usage, "thoughtsTokenCount");
        return new TokenUsage(
            prompt is null && toolPrompt is null ? null : (prompt ?? 0) + (toolPrompt ?? 0),
            // Gemini counts thoughts apart from the candidates; the conventions put reasoning inside output.
            candidates is null && reasoning is null ? null : (candidates ?? 0) + (reasoning ?? 0),
            Json.Long(usage, "cachedContentTokenCount"),
            null,
            reasoning);
    }
}
