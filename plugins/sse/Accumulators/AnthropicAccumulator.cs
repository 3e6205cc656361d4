using System.Text.Json;

namespace AgentSight.Plugins.Sse.Accumulators;

/// <summary>
/// Anthropic Messages streams: <c>message_start</c>, per block <c>content_block_start</c> / <c>_delta</c>* /
/// <c>_stop</c>, <c>message_delta</c> (stop reason, cumulative usage), <c>message_stop</c>; <c>ping</c> anywhere;
/// <c>error</c> ends the stream. Unknown event types are ignored, as the API asks.
/// </summary>
internal sealed class AnthropicAccumulator : StreamAccumulator
{
    private static readonly KnownStrings EventTypes =
        new(["content_block_delta", "content_block_start", "content_block_stop", "ping", "message_delta", "message_start", "message_stop", "error"]);

    private static readonly KnownStrings DeltaTypes = new(["text_delta", "input_json_delta", "thinking_delta", "signature_delta", "citations_delta"]);

    private readonly Dictionary<int, ContentBlock> _blocks = [];
    private string? _stopSequence;

    public override string Provider => Providers.Anthropic;

    public override EventEffect OnEvent(string? eventType, JsonElement? json, ReadOnlySpan<byte> data)
    {
        if (json is not { ValueKind: JsonValueKind.Object } root)
        {
            return EventEffect.None;
        }
        var type = Type(root, "type"u8, EventTypes) ?? eventType;
        switch (type)
        {
            case "message_start":
                if (TryGet(root, "message"u8, out var message))
                {
                    Id ??= String(message, "id"u8);
                    Model ??= String(message, "model"u8);
                    if (TryGet(message, "usage"u8, out var usage))
                    {
                        MergeUsage(usage);
                    }
                }
                return EventEffect.None;
            case "content_block_start":
                return Start(Int(root, "index"u8), TryGet(root, "content_block"u8, out var start) ? start : default);
            case "content_block_delta":
                return TryGet(root, "delta"u8, out var delta) ? Delta(Int(root, "index"u8), delta) : EventEffect.None;
            case "message_delta":
                if (TryGet(root, "delta"u8, out var messageDelta))
                {
                    ChoiceAt(0).StopReason = String(messageDelta, "stop_reason"u8) ?? ChoiceAt(0).StopReason;
                    _stopSequence = String(messageDelta, "stop_sequence"u8) ?? _stopSequence;
                }
                if (TryGet(root, "usage"u8, out var deltaUsage))
                {
                    MergeUsage(deltaUsage);
                }
                return EventEffect.None;
            case "message_stop":
                return EventEffect.End;
            case "error":
                Error = JsonNodeOf(TryGet(root, "error"u8, out var error) ? error : root);
                return EventEffect.End;
            default:
                return EventEffect.None;
        }
    }

    protected override void AddExtra(List<KeyValuePair<string, System.Text.Json.Nodes.JsonNode?>> message) => message.Add(new("stop_sequence", _stopSequence));

    private EventEffect Start(int index, JsonElement start)
    {
        var type = String(start, "type"u8) ?? "text";
        var block = new ContentBlock(type);
        _blocks[index] = block;
        ChoiceAt(0).Blocks.Add(block);
        var effect = EventEffect.None;
        switch (type)
        {
            case "text":
                effect = AddText(block, String(start, "text"u8)) ? EventEffect.Content : EventEffect.None;
                break;
            case "thinking":
                effect = AddText(block, String(start, "thinking"u8)) ? EventEffect.Content : EventEffect.None;
                block.Signature = String(start, "signature"u8);
                break;
            case "redacted_thinking":
                block.Data = String(start, "data"u8);
                break;
            default:
                if (TryGet(start, "input"u8, out var input) || type.EndsWith("tool_use", StringComparison.Ordinal))
                {
                    block.Id = String(start, "id"u8);
                    block.Name = String(start, "name"u8);
                    block.InputValue = TryGet(start, "input"u8, out input) && !(input.ValueKind == JsonValueKind.Object && !input.EnumerateObject().Any())
                        ? JsonNodeOf(input)
                        : null;
                    block.AppendInput(null);
                }
                else
                {
                    block.Raw = JsonNodeOf(start);
                }
                break;
        }
        return effect;
    }

    /// <summary>
    /// The fast path for the events that make up most of a stream: a text, thinking or tool-input delta in the exact
    /// shape the API sends (<c>{"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"…"}}</c>),
    /// read in one pass without building a document. Returns false, having changed nothing, for anything else (other
    /// events, other key orders, extra keys, invalid JSON): the caller then takes the general path, which gives the
    /// same result for these events.
    /// </summary>
    public bool TryDelta(ReadOnlySpan<byte> data, out EventEffect effect)
    {
        effect = EventEffect.None;
        int index;
        string deltaType;
        string value;
        try
        {
            // Default options: the same rules as the document parser of the general path (no comments, no trailing commas).
            var reader = new Utf8JsonReader(data);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !NextString(ref reader, "type"u8) || !reader.ValueTextEquals("content_block_delta"u8)
                || !NextProperty(ref reader, "index"u8) || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out index)
                || !NextProperty(ref reader, "delta"u8) || !reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !NextString(ref reader, "type"u8))
            {
                return false;
            }
            ReadOnlySpan<byte> field;
            if (reader.ValueTextEquals("text_delta"u8))
            {
                deltaType = "text_delta";
                field = "text"u8;
            }
            else if (reader.ValueTextEquals("thinking_delta"u8))
            {
                deltaType = "thinking_delta";
                field = "thinking"u8;
            }
            else if (reader.ValueTextEquals("input_json_delta"u8))
            {
                deltaType = "input_json_delta";
                field = "partial_json"u8;
            }
            else
            {
                return false;
            }
            if (!NextString(ref reader, field))
            {
                return false;
            }
            value = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject || !reader.Read() || reader.TokenType != JsonTokenType.EndObject
                || reader.Read())
            {
                // More keys, or a second value after the object (which the reader reports by throwing).
                return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Invalid JSON, or a string that is not valid UTF-16 once unescaped: the general path counts it.
            return false;
        }
        effect = Delta(index, deltaType, value);
        return true;
    }

    /// <summary>Reads the next token, true when it is the property <paramref name="name"/>.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(name);

    /// <summary>Reads the property <paramref name="name"/> and its value, true when that is a string.</summary>
    private static bool NextString(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        NextProperty(ref reader, name) && reader.Read() && reader.TokenType == JsonTokenType.String;

    /// <summary>A text, thinking or tool-input delta (<see cref="Delta(int, JsonElement)"/> for these three kinds).</summary>
    private EventEffect Delta(int index, string deltaType, string value)
    {
        if (!_blocks.TryGetValue(index, out var block))
        {
            block = new ContentBlock(deltaType switch
            {
                "thinking_delta" => "thinking",
                "input_json_delta" => "tool_use",
                _ => "text",
            });
            _blocks[index] = block;
            ChoiceAt(0).Blocks.Add(block);
        }
        return deltaType == "input_json_delta"
            ? AddInput(block, value) ? EventEffect.Content : EventEffect.None
            : AddText(block, value) ? EventEffect.Content : EventEffect.None;
    }

    private EventEffect Delta(int index, JsonElement delta)
    {
        if (!_blocks.TryGetValue(index, out var block))
        {
            // A delta whose start was not seen (cut stream): make the block from the delta's kind.
            block = new ContentBlock(Type(delta, "type"u8, DeltaTypes) switch
            {
                "thinking_delta" or "signature_delta" => "thinking",
                "input_json_delta" => "tool_use",
                _ => "text",
            });
            _blocks[index] = block;
            ChoiceAt(0).Blocks.Add(block);
        }
        switch (Type(delta, "type"u8, DeltaTypes))
        {
            case "text_delta":
                return AddText(block, String(delta, "text"u8)) ? EventEffect.Content : EventEffect.None;
            case "thinking_delta":
                return AddText(block, String(delta, "thinking"u8)) ? EventEffect.Content : EventEffect.None;
            case "input_json_delta":
                return AddInput(block, String(delta, "partial_json"u8)) ? EventEffect.Content : EventEffect.None;
            case "signature_delta":
                block.Signature = (block.Signature ?? "") + String(delta, "signature"u8);
                return EventEffect.None;
            case "citations_delta":
                if (TryGet(delta, "citation"u8, out var citation))
                {
                    (block.Citations ??= []).Add(JsonNodeOf(citation));
                }
                return EventEffect.None;
            default:
                return EventEffect.None;
        }
    }
}
