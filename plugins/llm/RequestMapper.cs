using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Llm;

/// <summary>
/// The request side of a call in OpenTelemetry GenAI terms: model, parameters, system instructions, input messages
/// (<c>[{role, parts}]</c> with <c>text</c>, <c>tool_call</c>, <c>tool_call_response</c>, <c>reasoning</c>, <c>blob</c>,
/// <c>uri</c> parts) and tool definitions, from each provider's request body.
/// </summary>
internal static class RequestMapper
{
    public static void Map(CallTarget target, JsonObject body, string path, JsonObject fields, LlmAnalyzerConfig config)
    {
        switch (target.Api)
        {
            case ApiKind.AnthropicMessages:
                Anthropic(body, path, fields, config);
                break;
            case ApiKind.OpenAiChat:
                OpenAiChat(body, fields, config);
                break;
            case ApiKind.OpenAiResponses:
                Responses(body, fields, config);
                break;
            case ApiKind.Gemini:
                Gemini(body, path, fields, config);
                break;
            case ApiKind.OllamaChat or ApiKind.OllamaGenerate:
                Ollama(body, target.Api, fields, config);
                break;
        }
    }

    /// <summary>The model named in a Gemini or Vertex path: <c>…/models/{model}:method</c>.</summary>
    public static string? ModelInPath(string path)
    {
        var at = path.LastIndexOf("/models/", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var start = at + "/models/".Length;
        var colon = path.IndexOf(':', start);
        var model = colon > start ? path[start..colon] : path[start..];
        return model.Length > 0 ? Uri.UnescapeDataString(model) : null;
    }

    private static void Anthropic(JsonObject body, string path, JsonObject fields, LlmAnalyzerConfig config)
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

    private static void OpenAiChat(JsonObject body, JsonObject fields, LlmAnalyzerConfig config)
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
    private static JsonArray ChatToolDefinitions(JsonArray tools)
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

    private static JsonObject DataUri(string url)
    {
        // data:<mime>;base64,<content>
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        var header = comma > 5 ? url[5..comma] : "";
        var mime = header.Split(';')[0];
        return new JsonObject
        {
            ["type"] = "blob",
            ["modality"] = "image",
            ["mime_type"] = mime.Length > 0 ? mime : null,
            ["content"] = comma >= 0 ? url[(comma + 1)..] : url,
        };
    }

    private static void Responses(JsonObject body, JsonObject fields, LlmAnalyzerConfig config)
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

    private static void Gemini(JsonObject body, string path, JsonObject fields, LlmAnalyzerConfig config)
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

    private static void Ollama(JsonObject body, ApiKind api, JsonObject fields, LlmAnalyzerConfig config)
    {
        Set(fields, "gen_ai.request.model", Json.Str(body, "model"));
        var options = Json.Obj(body, "options");
        Set(fields, "gen_ai.request.max_tokens", Json.Long(options, "num_predict"));
        Set(fields, "gen_ai.request.temperature", Json.Double(options, "temperature"));
        Set(fields, "gen_ai.request.top_p", Json.Double(options, "top_p"));
        Set(fields, "gen_ai.request.top_k", Json.Double(options, "top_k"));
        Set(fields, "gen_ai.request.seed", Json.Long(options, "seed"));
        Set(fields, "gen_ai.request.stream", Json.Bool(body, "stream") ?? true);
        if (config.IncludeInput)
        {
            if (api == ApiKind.OllamaGenerate)
            {
                if (Json.Str(body, "system") is { } system)
                {
                    fields["gen_ai.system_instructions"] = new JsonArray(TextPart(system));
                }
                fields["gen_ai.input.messages"] = new JsonArray(Message("user", [TextPart(Json.Str(body, "prompt") ?? "")]));
            }
            else
            {
                fields["gen_ai.input.messages"] = ChatMessages(Json.Arr(body, "messages"));
            }
        }
        if (config.IncludeTools && Json.Arr(body, "tools") is { } tools)
        {
            fields["gen_ai.tool.definitions"] = ChatToolDefinitions(tools);
        }
    }

    public static JsonObject TextPart(string text) => new() { ["type"] = "text", ["content"] = text };

    /// <summary>A call the model made: <c>tool_call</c>, or <c>server_tool_call</c> for one the provider runs itself.</summary>
    public static JsonObject ToolCallPart(string? id, string? name, JsonNode? arguments, string type = "tool_call") =>
        new() { ["type"] = type, ["id"] = id, ["name"] = name, ["arguments"] = arguments };

    /// <summary>Reasoning the provider returns encrypted: a reader sees that there was some.</summary>
    public static JsonObject RedactedReasoningPart() => new() { ["type"] = "reasoning", ["content"] = null, ["redacted"] = true };

    public static JsonObject Message(string role, JsonArray parts) => new() { ["role"] = role, ["parts"] = parts };

    private static JsonObject Function(string? name, string? description, JsonNode? parameters)
    {
        var definition = new JsonObject { ["type"] = "function", ["name"] = name };
        if (description is not null)
        {
            definition["description"] = description;
        }
        if (parameters is not null)
        {
            definition["parameters"] = parameters;
        }
        return definition;
    }

    /// <summary>Sets a field unless the value is null (absent attributes are left out, as OpenTelemetry does).</summary>
    public static void Set(JsonObject fields, string key, JsonNode? value)
    {
        if (value is not null)
        {
            fields[key] = value;
        }
    }

    public static void Set(JsonObject fields, string key, string? value) => Set(fields, key, value is null ? null : JsonValue.Create(value));

    public static void Set(JsonObject fields, string key, long? value) => Set(fields, key, value is null ? null : JsonValue.Create(value.Value));

    public static void Set(JsonObject fields, string key, double? value) => Set(fields, key, value is null ? null : JsonValue.Create(value.Value));

    public static void Set(JsonObject fields, string key, bool? value) => Set(fields, key, value is null ? null : JsonValue.Create(value.Value));
}
