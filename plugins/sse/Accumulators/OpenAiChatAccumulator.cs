using System.Text.Json;

namespace AgentSight.Plugins.Sse.Accumulators;

/// <summary>
/// OpenAI Chat Completions streams (and compatible servers): data-only <c>chat.completion.chunk</c> objects, text and
/// tool-call argument fragments keyed by index, <c>finish_reason</c> per choice, a last chunk with <c>choices: []</c>
/// and the usage, then <c>data: [DONE]</c>. Also the non-standard <c>reasoning_content</c>/<c>reasoning</c> deltas.
/// </summary>
internal sealed class OpenAiChatAccumulator : StreamAccumulator
{
    private readonly Dictionary<(int Choice, int Call), ContentBlock> _calls = [];

    public override string Provider => Providers.OpenAiChat;

    public override EventEffect OnEvent(string? eventType, JsonElement? json, ReadOnlySpan<byte> data)
    {
        if (json is not { ValueKind: JsonValueKind.Object } root)
        {
            return data.SequenceEqual("[DONE]"u8) ? EventEffect.End : EventEffect.None;
        }
        if (TryGet(root, "error"u8, out var error))
        {
            Error = JsonNodeOf(error);
            return EventEffect.None;
        }
        // Every chunk repeats the id and model (Azure's first chunk has them empty): read them until known.
        if (Id is null && String(root, "id"u8) is { Length: > 0 } id)
        {
            Id = id;
        }
        if (Model is null && String(root, "model"u8) is { Length: > 0 } model)
        {
            Model = model;
        }
        if (TryGet(root, "usage"u8, out var usage))
        {
            SetUsage(usage);
        }
        var effect = EventEffect.None;
        if (TryGet(root, "choices"u8, out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            var position = 0;
            foreach (var choice in choices.EnumerateArray())
            {
                effect |= OnChoice(choice, Int(choice, "index"u8, position++));
            }
        }
        return effect;
    }

    /// <summary>
    /// The fast path for the chunks that make up most of a stream: <c>id</c> first, then only the keys the API sends
    /// (<c>object</c>, <c>created</c>, <c>model</c>, <c>system_fingerprint</c>, <c>service_tier</c>,
    /// <c>obfuscation</c>, <c>usage: null</c>) and one choice whose delta has at most a <c>role</c>, text
    /// <c>content</c> and <c>refusal: null</c>, read in one pass without building a document. Returns false, having
    /// changed nothing, for any other chunk (tool calls, reasoning, usage, several choices, repeated keys, invalid
    /// JSON): the general path then gives the same result.
    /// </summary>
    public bool TryChunk(ReadOnlySpan<byte> data, out EventEffect effect)
    {
        effect = EventEffect.None;
        string? id;
        string? model = null;
        ChunkChoice choice;
        var seen = 0;
        try
        {
            var reader = new Utf8JsonReader(data);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("id"u8)
                || !reader.Read() || reader.TokenType != JsonTokenType.String)
            {
                return false;
            }
            id = reader.GetString();
            choice = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int key;
                if (reader.ValueTextEquals("choices"u8))
                {
                    key = 1;
                    if (!reader.Read() || !ReadOnlyChoice(ref reader, out choice))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("model"u8))
                {
                    key = 2;
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }
                    model = reader.GetString();
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    key = 4;
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Null)
                    {
                        return false;
                    }
                }
                else
                {
                    // Keys the general path never reads: any value will do, as long as it is valid JSON.
                    key = reader.ValueTextEquals("object"u8) ? 8
                        : reader.ValueTextEquals("created"u8) ? 16
                        : reader.ValueTextEquals("system_fingerprint"u8) ? 32
                        : reader.ValueTextEquals("service_tier"u8) ? 64
                        : reader.ValueTextEquals("obfuscation"u8) ? 128
                        : 0;
                    if (key == 0 || !reader.Read())
                    {
                        return false;
                    }
                    reader.Skip();
                }
                if ((seen & key) != 0)
                {
                    return false;
                }
                seen |= key;
            }
            if (reader.TokenType != JsonTokenType.EndObject || (seen & 1) == 0 || reader.Read())
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }

        // What OnEvent and OnChoice do with such a chunk, in their order.
        if (Id is null && id is { Length: > 0 })
        {
            Id = id;
        }
        if (Model is null && model is { Length: > 0 })
        {
            Model = model;
        }
        var target = ChoiceAt(choice.Index);
        if (choice.Content is { Length: > 0 } content && AddText(target.Last("text"), content))
        {
            effect = EventEffect.Content;
        }
        if (choice.FinishReason is { } finish)
        {
            target.StopReason = finish;
        }
        return true;
    }

    /// <summary>Reads <c>[{"index":N,"delta":{…},"logprobs":…,"finish_reason":…}]</c> with exactly one plain choice.</summary>
    private static bool ReadOnlyChoice(ref Utf8JsonReader reader, out ChunkChoice choice)
    {
        choice = default;
        if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int key;
            if (reader.ValueTextEquals("index"u8))
            {
                key = 1;
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var index))
                {
                    return false;
                }
                choice.Index = index;
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                key = 2;
                if (!reader.Read() || !ReadPlainDelta(ref reader, out var content))
                {
                    return false;
                }
                choice.Content = content;
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                key = 4;
                if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    return false;
                }
                choice.FinishReason = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("logprobs"u8))
            {
                key = 8;
                if (!reader.Read())
                {
                    return false;
                }
                reader.Skip();
            }
            else
            {
                return false;
            }
            if ((seen & key) != 0)
            {
                return false;
            }
            seen |= key;
        }
        // The index is required (without it the general path numbers choices by position), and one choice only.
        return reader.TokenType == JsonTokenType.EndObject && (seen & 1) != 0
            && reader.Read() && reader.TokenType == JsonTokenType.EndArray;
    }

    /// <summary>Reads a delta of at most <c>role</c> (any value), <c>content</c> (text or null) and <c>refusal: null</c>.</summary>
    private static bool ReadPlainDelta(ref Utf8JsonReader reader, out string? content)
    {
        content = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int key;
            if (reader.ValueTextEquals("content"u8))
            {
                key = 1;
                if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    return false;
                }
                content = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("role"u8))
            {
                key = 2;
                if (!reader.Read())
                {
                    return false;
                }
                reader.Skip();
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                key = 4;
                if (!reader.Read() || reader.TokenType != JsonTokenType.Null)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
            if ((seen & key) != 0)
            {
                return false;
            }
            seen |= key;
        }
        return reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>The one choice of a plain chunk.</summary>
    private struct ChunkChoice
    {
        public int Index;
        public string? Content;
        public string? FinishReason;
    }

    private EventEffect OnChoice(JsonElement element, int index)
    {
        var choice = ChoiceAt(index);
        var effect = EventEffect.None;
        if (TryGet(element, "delta"u8, out var delta))
        {
            var reasoning = String(delta, "reasoning_content"u8) ?? String(delta, "reasoning"u8);
            if (reasoning is { Length: > 0 } && AddText(choice.Last("thinking"), reasoning))
            {
                effect = EventEffect.Content;
            }
            if (String(delta, "content"u8) is { Length: > 0 } content && AddText(choice.Last("text"), content))
            {
                effect = EventEffect.Content;
            }
            if (String(delta, "refusal"u8) is { Length: > 0 } refusal && AddText(choice.Last("refusal"), refusal))
            {
                effect = EventEffect.Content;
            }
            if (TryGet(delta, "tool_calls"u8, out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                var position = 0;
                foreach (var call in calls.EnumerateArray())
                {
                    var key = (index, Int(call, "index"u8, position++));
                    if (!_calls.TryGetValue(key, out var block))
                    {
                        block = new ContentBlock("tool_use");
                        block.AppendInput(null);
                        _calls[key] = block;
                        choice.Blocks.Add(block);
                    }
                    block.Id ??= String(call, "id"u8);
                    if (TryGet(call, "function"u8, out var function))
                    {
                        block.Name ??= String(function, "name"u8);
                        if (AddInput(block, String(function, "arguments"u8)))
                        {
                            effect = EventEffect.Content;
                        }
                    }
                }
            }
        }
        if (String(element, "finish_reason"u8) is { } finish)
        {
            choice.StopReason = finish;
        }
        return effect;
    }
}
