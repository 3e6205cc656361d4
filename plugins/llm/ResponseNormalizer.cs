using System.Text;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Llm;

/// <summary>
/// A whole (non-streamed) response body in the shape the <c>sse</c> analyzer gives accumulated streams:
/// <c>{id, model, content: [blocks], stop_reason, usage, error, choices?}</c> with blocks <c>text</c>,
/// <c>thinking</c>, <c>tool_use {id, name, input}</c>, <c>refusal</c>, or others as sent. One mapping to
/// OpenTelemetry then serves both.
/// </summary>
internal static class ResponseNormalizer
{
    public static JsonObject? Normalize(ApiKind api, JsonNode? body) => api switch
    {
        ApiKind.AnthropicMessages => Anthropic(body),
        ApiKind.OpenAiChat => OpenAiChat(body),
        ApiKind.OpenAiResponses => Responses(body),
        ApiKind.Gemini => Gemini(body),
        _ => Ollama(body),
    };

    private static JsonObject? Anthropic(JsonNode? body)
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

    private static JsonObject? OpenAiChat(JsonNode? body)
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
            choices.Add(new JsonObject
            {
                ["index"] = Json.Long(choice, "index") ?? choices.Count,
                ["content"] = blocks,
                ["stop_reason"] = Json.Str(choice, "finish_reason"),
            });
        }
        return WithChoices(result, choices);
    }

    private static JsonObject? Responses(JsonNode? body)
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

    private static JsonObject? Gemini(JsonNode? body)
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
        return WithChoices(result, choices);
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

    private static JsonObject? Ollama(JsonNode? body)
    {
        if (body is not JsonObject response)
        {
            return null;
        }
        if (Json.Str(response, "error") is { } error)
        {
            return new JsonObject { ["error"] = new JsonObject { ["message"] = error } };
        }
        var blocks = new JsonArray();
        var message = Json.Obj(response, "message");
        if (Json.Str(message, "thinking") is { Length: > 0 } thinking)
        {
            blocks.Add(new JsonObject { ["type"] = "thinking", ["thinking"] = thinking });
        }
        if ((Json.Str(message, "content") ?? Json.Str(response, "response")) is { Length: > 0 } text)
        {
            blocks.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }
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
        var usage = new JsonObject();
        foreach (var name in new[] { "prompt_eval_count", "eval_count", "total_duration", "eval_duration" })
        {
            if (response[name] is JsonValue value)
            {
                usage[name] = value.DeepClone();
            }
        }
        return new JsonObject
        {
            ["model"] = Json.Str(response, "model"),
            ["content"] = blocks,
            ["stop_reason"] = Json.Str(response, "done_reason"),
            ["usage"] = usage,
        };
    }

    /// <summary>The first choice becomes the message's content; the others go under <c>choices</c>.</summary>
    private static JsonObject WithChoices(JsonObject result, JsonArray choices)
    {
        if (choices.Count == 0)
        {
            result["content"] = new JsonArray();
            return result;
        }
        var first = (JsonObject)choices[0]!;
        result["content"] = Json.Copy(first["content"]);
        result["stop_reason"] = Json.Str(first, "stop_reason");
        if (choices.Count > 1)
        {
            var others = new JsonArray();
            for (var i = 1; i < choices.Count; i++)
            {
                others.Add(Json.Copy(choices[i]));
            }
            result["choices"] = others;
        }
        return result;
    }
}
