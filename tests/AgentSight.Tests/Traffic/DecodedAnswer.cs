using System.Text.Json.Nodes;
using AgentSight.Traffic;

namespace AgentSight.Tests.Runners;

/// <summary>
/// What a response says, decoded from the provider's wire format as documented in llm-stream-formats.md. This is
/// the test's own reading of the formats, independent of the generator.
/// </summary>
internal sealed record DecodedAnswer(
    string ResponseId,
    string Model,
    string Text,
    IReadOnlyList<(string? Id, string Name, string Arguments)> ToolCalls,
    string FinishReason,
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    long CacheCreationInputTokens,
    long ReasoningTokens)
{
    public static DecodedAnswer FromStream(SyntheticProvider provider, IReadOnlyList<SseEvent> events) => provider switch
    {
        SyntheticProvider.Anthropic => AnthropicStream(events),
        SyntheticProvider.OpenAi => ChatStream(events),
        SyntheticProvider.OpenAiResponses => ResponsesStream(events),
        _ => GeminiStream(events),
    };

    public static DecodedAnswer FromBody(SyntheticProvider provider, string body)
    {
        var json = Parse(body);
        return provider switch
        {
            SyntheticProvider.Anthropic => AnthropicMessage(json),
            SyntheticProvider.OpenAi => ChatCompletion(json),
            SyntheticProvider.OpenAiResponses => Response(json),
            _ => GeminiStream([new SseEvent(null, body)]),
        };
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json) as JsonObject
        ?? throw new InvalidDataException($"not a JSON object: {json}");

    private static long Long(JsonNode? node) => node?.GetValue<long>() ?? 0;

    private static DecodedAnswer AnthropicStream(IReadOnlyList<SseEvent> events)
    {
        string id = "", model = "", finish = "", text = "";
        long input = 0, output = 0, cached = 0, creation = 0;
        var tools = new Dictionary<int, (string? Id, string Name, string Arguments)>();
        foreach (var e in events)
        {
            var data = Parse(e.Data);
            switch ((string?)data["type"])
            {
                case "message_start":
                    var message = data["message"]!;
                    id = (string)message["id"]!;
                    model = (string)message["model"]!;
                    input = Long(message["usage"]!["input_tokens"]);
                    cached = Long(message["usage"]!["cache_read_input_tokens"]);
                    creation = Long(message["usage"]!["cache_creation_input_tokens"]);
                    output = Long(message["usage"]!["output_tokens"]);
                    break;
                case "content_block_start" when (string?)data["content_block"]!["type"] == "tool_use":
                    tools[(int)data["index"]!] = ((string?)data["content_block"]!["id"], (string)data["content_block"]!["name"]!, "");
                    break;
                case "content_block_delta":
                    var delta = data["delta"]!;
                    if ((string?)delta["type"] == "text_delta")
                    {
                        text += (string)delta["text"]!;
                    }
                    else if ((string?)delta["type"] == "input_json_delta")
                    {
                        var index = (int)data["index"]!;
                        tools[index] = tools[index] with { Arguments = tools[index].Arguments + (string)delta["partial_json"]! };
                    }
                    break;
                case "message_delta":
                    // Cumulative: the last message_delta wins, the input counts when it repeats them.
                    finish = (string)data["delta"]!["stop_reason"]!;
                    var usage = data["usage"]!;
                    output = Long(usage["output_tokens"]);
                    input = usage["input_tokens"] is { } i ? Long(i) : input;
                    cached = usage["cache_read_input_tokens"] is { } c ? Long(c) : cached;
                    creation = usage["cache_creation_input_tokens"] is { } w ? Long(w) : creation;
                    break;
            }
        }
        return new DecodedAnswer(id, model, text, [.. tools.OrderBy(t => t.Key).Select(t => t.Value)], finish, input, output, cached, creation, 0);
    }

    private static DecodedAnswer AnthropicMessage(JsonObject message)
    {
        var text = "";
        var tools = new List<(string?, string, string)>();
        foreach (var block in message["content"]!.AsArray())
        {
            if ((string?)block!["type"] == "text")
            {
                text += (string)block["text"]!;
            }
            else if ((string?)block["type"] == "tool_use")
            {
                tools.Add(((string?)block["id"], (string)block["name"]!, block["input"]!.ToJsonString()));
            }
        }
        var usage = message["usage"]!;
        return new DecodedAnswer((string)message["id"]!, (string)message["model"]!, text, tools, (string)message["stop_reason"]!,
            Long(usage["input_tokens"]), Long(usage["output_tokens"]), Long(usage["cache_read_input_tokens"]),
            Long(usage["cache_creation_input_tokens"]), 0);
    }

    private static DecodedAnswer ChatStream(IReadOnlyList<SseEvent> events)
    {
        if (events.Count == 0 || events[^1].Data != "[DONE]")
        {
            throw new InvalidDataException("a chat completion stream ends with data: [DONE]");
        }
        string id = "", model = "", finish = "", text = "";
        long input = 0, output = 0, cached = 0, reasoning = 0;
        var tools = new SortedDictionary<int, (string? Id, string Name, string Arguments)>();
        foreach (var e in events.Take(events.Count - 1))
        {
            var chunk = Parse(e.Data);
            id = (string)chunk["id"]!;
            model = (string)chunk["model"]!;
            if (chunk["usage"] is JsonObject usage)
            {
                input = Long(usage["prompt_tokens"]);
                output = Long(usage["completion_tokens"]);
                cached = Long(usage["prompt_tokens_details"]?["cached_tokens"]);
                reasoning = Long(usage["completion_tokens_details"]?["reasoning_tokens"]);
            }
            foreach (var choice in chunk["choices"]!.AsArray())
            {
                var delta = choice!["delta"]!;
                if (delta["content"] is JsonValue content)
                {
                    text += (string)content!;
                }
                foreach (var call in delta["tool_calls"]?.AsArray() ?? [])
                {
                    var index = (int)call!["index"]!;
                    var piece = (string?)call["function"]?["arguments"] ?? "";
                    tools[index] = tools.TryGetValue(index, out var known)
                        ? known with { Arguments = known.Arguments + piece }
                        : ((string?)call["id"], (string)call["function"]!["name"]!, piece);
                }
                if (choice["finish_reason"] is JsonValue reason)
                {
                    finish = (string)reason!;
                }
            }
        }
        return new DecodedAnswer(id, model, text, [.. tools.Values], finish, input, output, cached, 0, reasoning);
    }

    private static DecodedAnswer ChatCompletion(JsonObject completion)
    {
        var choice = completion["choices"]![0]!;
        var message = choice["message"]!;
        var tools = (message["tool_calls"]?.AsArray() ?? [])
            .Select(c => ((string?)c!["id"], (string)c["function"]!["name"]!, (string)c["function"]!["arguments"]!))
            .ToList();
        var usage = completion["usage"]!;
        return new DecodedAnswer((string)completion["id"]!, (string)completion["model"]!, (string?)message["content"] ?? "", tools,
            (string)choice["finish_reason"]!, Long(usage["prompt_tokens"]), Long(usage["completion_tokens"]),
            Long(usage["prompt_tokens_details"]?["cached_tokens"]), 0, Long(usage["completion_tokens_details"]?["reasoning_tokens"]));
    }

    private static DecodedAnswer ResponsesStream(IReadOnlyList<SseEvent> events)
    {
        var text = "";
        var tools = new Dictionary<string, (string? Id, string Name, string Arguments)>();
        JsonObject? completed = null;
        foreach (var e in events)
        {
            var data = Parse(e.Data);
            switch ((string?)data["type"])
            {
                case "response.output_text.delta":
                    text += (string)data["delta"]!;
                    break;
                case "response.output_item.added" when (string?)data["item"]!["type"] == "function_call":
                    tools[(string)data["item"]!["id"]!] = ((string?)data["item"]!["call_id"], (string)data["item"]!["name"]!, "");
                    break;
                case "response.function_call_arguments.delta":
                    var item = (string)data["item_id"]!;
                    tools[item] = tools[item] with { Arguments = tools[item].Arguments + (string)data["delta"]! };
                    break;
                case "response.completed":
                    completed = data["response"]!.AsObject();
                    break;
            }
        }
        if (completed is null)
        {
            throw new InvalidDataException("no response.completed event");
        }
        var final = Response(completed);
        return final with { Text = text, ToolCalls = [.. tools.Values] };
    }

    private static DecodedAnswer Response(JsonObject response)
    {
        var text = "";
        var tools = new List<(string?, string, string)>();
        foreach (var item in response["output"]!.AsArray())
        {
            switch ((string?)item!["type"])
            {
                case "message":
                    foreach (var part in item["content"]!.AsArray())
                    {
                        if ((string?)part!["type"] == "output_text")
                        {
                            text += (string)part["text"]!;
                        }
                    }
                    break;
                case "function_call":
                    tools.Add(((string?)item["call_id"], (string)item["name"]!, (string)item["arguments"]!));
                    break;
            }
        }
        var usage = response["usage"]!;
        return new DecodedAnswer((string)response["id"]!, (string)response["model"]!, text, tools, (string)response["status"]!,
            Long(usage["input_tokens"]), Long(usage["output_tokens"]), Long(usage["input_tokens_details"]?["cached_tokens"]), 0,
            Long(usage["output_tokens_details"]?["reasoning_tokens"]));
    }

    private static DecodedAnswer GeminiStream(IReadOnlyList<SseEvent> events)
    {
        string id = "", model = "", finish = "", text = "";
        long input = 0, output = 0, cached = 0, thoughts = 0;
        var tools = new List<(string?, string, string)>();
        foreach (var e in events)
        {
            var chunk = Parse(e.Data);
            id = (string)chunk["responseId"]!;
            model = (string)chunk["modelVersion"]!;
            var candidate = chunk["candidates"]![0]!;
            foreach (var part in candidate["content"]!["parts"]!.AsArray())
            {
                if (part!["text"] is JsonValue piece)
                {
                    text += (string)piece!;
                }
                if (part["functionCall"] is JsonObject call)
                {
                    tools.Add(((string?)call["id"], (string)call["name"]!, call["args"]!.ToJsonString()));
                }
            }
            if (candidate["finishReason"] is JsonValue reason)
            {
                finish = (string)reason!;
            }
            // Usage is cumulative and only final in the last chunk: keep the last.
            var usage = chunk["usageMetadata"]!;
            input = Long(usage["promptTokenCount"]);
            output = Long(usage["candidatesTokenCount"]);
            cached = Long(usage["cachedContentTokenCount"]);
            thoughts = Long(usage["thoughtsTokenCount"]);
        }
        return new DecodedAnswer(id, model, text, tools, finish, input, output, cached, 0, thoughts);
    }
}
