using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Sse.Accumulators;

/// <summary>
/// OpenAI Responses API streams: named events with a <c>sequence_number</c>; output items (messages, function calls,
/// reasoning) keyed by <c>output_index</c>, their deltas, their <c>.done</c> events (which carry the whole value and
/// win), and a terminal <c>response.completed</c> / <c>.incomplete</c> / <c>.failed</c> (or a gateway's
/// <c>response.done</c> or <c>[DONE]</c>) whose snapshot has the usage.
/// </summary>
internal sealed class OpenAiResponsesAccumulator : StreamAccumulator
{
    private static readonly KnownStrings EventTypes = new(
    [
        "response.output_text.delta", "response.function_call_arguments.delta", "response.reasoning_summary_text.delta",
        "response.reasoning_text.delta", "response.output_text.done", "response.content_part.added", "response.content_part.done",
        "response.output_item.added", "response.output_item.done", "response.function_call_arguments.done", "response.created",
        "response.in_progress", "response.completed", "response.incomplete", "response.failed", "response.done", "error",
    ]);

    private readonly Dictionary<int, ContentBlock> _items = [];
    private string? _status;

    public override string Provider => Providers.OpenAiResponses;

    public override EventEffect OnEvent(string? eventType, JsonElement? json, ReadOnlySpan<byte> data)
    {
        if (json is not { ValueKind: JsonValueKind.Object } root)
        {
            return data.SequenceEqual("[DONE]"u8) ? EventEffect.End : EventEffect.None;
        }
        var type = Type(root, "type"u8, EventTypes) ?? eventType;
        switch (type)
        {
            case "response.created" or "response.in_progress" or "response.queued":
                Snapshot(root, final: false);
                return EventEffect.None;
            case "response.completed" or "response.incomplete" or "response.failed" or "response.done":
                Snapshot(root, final: true);
                return EventEffect.End;
            case "response.output_item.added":
                if (TryGet(root, "item"u8, out var added))
                {
                    Item(Int(root, "output_index"u8), added, done: false);
                }
                return EventEffect.None;
            case "response.output_item.done":
                if (TryGet(root, "item"u8, out var done))
                {
                    Item(Int(root, "output_index"u8), done, done: true);
                }
                return EventEffect.None;
            case "response.output_text.delta":
                return AddText(Block(root, "text"), String(root, "delta"u8)) ? EventEffect.Content : EventEffect.None;
            case "response.output_text.done":
                Block(root, "text").SetText(String(root, "text"u8));
                return EventEffect.None;
            case "response.refusal.delta":
                return AddText(Block(root, "refusal"), String(root, "delta"u8)) ? EventEffect.Content : EventEffect.None;
            case "response.reasoning_summary_text.delta" or "response.reasoning_text.delta":
                return AddText(Block(root, "thinking"), String(root, "delta"u8)) ? EventEffect.Content : EventEffect.None;
            case "response.function_call_arguments.delta" or "response.custom_tool_call_input.delta":
                return AddInput(Block(root, "tool_use"), String(root, "delta"u8)) ? EventEffect.Content : EventEffect.None;
            case "response.function_call_arguments.done":
                if (String(root, "arguments"u8) is { } arguments)
                {
                    Block(root, "tool_use").SetInput(arguments);
                }
                return EventEffect.None;
            case "error":
                Error = JsonNodeOf(TryGet(root, "error"u8, out var error) ? error : root);
                return EventEffect.End;
            default:
                return EventEffect.None;
        }
    }

    protected override void AddExtra(List<KeyValuePair<string, JsonNode?>> message) => message.Add(new("status", _status));

    /// <summary>
    /// The fast path for the events that make up most of a stream: a text delta
    /// (<c>{"type":"response.output_text.delta","sequence_number":N,"item_id":"…","output_index":N,"content_index":N,
    /// "delta":"…","logprobs":[],"obfuscation":"…"}</c>) read in one pass without building a document. <c>type</c> must
    /// come first and every other key must be one of these, once, with <c>output_index</c> a 32-bit integer and
    /// <c>delta</c> a string. Returns false, having changed nothing, for anything else: the general path then gives
    /// the same result.
    /// </summary>
    public bool TryTextDelta(ReadOnlySpan<byte> data, out EventEffect effect)
    {
        effect = EventEffect.None;
        var index = 0;
        string? delta = null;
        var seen = 0;
        try
        {
            var reader = new Utf8JsonReader(data);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("type"u8)
                || !reader.Read() || reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("response.output_text.delta"u8))
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int key;
                if (reader.ValueTextEquals("output_index"u8))
                {
                    key = 1;
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out index))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("delta"u8))
                {
                    key = 2;
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }
                    delta = reader.GetString();
                }
                else
                {
                    // Keys this event's handling never reads: any value will do, as long as it is valid JSON.
                    key = reader.ValueTextEquals("sequence_number"u8) ? 4
                        : reader.ValueTextEquals("item_id"u8) ? 8
                        : reader.ValueTextEquals("content_index"u8) ? 16
                        : reader.ValueTextEquals("logprobs"u8) ? 32
                        : reader.ValueTextEquals("obfuscation"u8) ? 64
                        : 0;
                    if (key == 0 || !reader.Read())
                    {
                        return false;
                    }
                    reader.Skip();
                }
                if ((seen & key) != 0)
                {
                    // A repeated key: which one the general path reads is its business.
                    return false;
                }
                seen |= key;
            }
            if (reader.TokenType != JsonTokenType.EndObject || (seen & 3) != 3 || reader.Read())
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
        effect = AddText(Block(index, "text"), delta) ? EventEffect.Content : EventEffect.None;
        return true;
    }

    private ContentBlock Block(JsonElement root, string type) => Block(Int(root, "output_index"u8), type);

    private ContentBlock Block(int index, string type)
    {
        if (!_items.TryGetValue(index, out var block))
        {
            block = new ContentBlock(type);
            if (type == "tool_use")
            {
                block.AppendInput(null);
            }
            _items[index] = block;
            ChoiceAt(0).Blocks.Add(block);
        }
        return block;
    }

    private void Item(int index, JsonElement item, bool done)
    {
        var type = String(item, "type"u8);
        var blockType = type switch
        {
            "message" => "text",
            "reasoning" => "thinking",
            "function_call" or "custom_tool_call" => "tool_use",
            _ => type ?? "unknown",
        };
        if (!_items.TryGetValue(index, out var block))
        {
            block = new ContentBlock(blockType);
            _items[index] = block;
            ChoiceAt(0).Blocks.Add(block);
        }
        switch (type)
        {
            case "function_call" or "custom_tool_call":
                block.Id = String(item, "call_id"u8) ?? block.Id;
                block.Name = String(item, "name"u8) ?? block.Name;
                var arguments = String(item, "arguments"u8) ?? String(item, "input"u8);
                if (arguments is { Length: > 0 } && (done || block.InputLength == 0))
                {
                    block.SetInput(arguments);
                }
                else
                {
                    block.AppendInput(null);
                }
                break;
            case "message" when done && block.TextLength == 0 && TryGet(item, "content"u8, out var parts) && parts.ValueKind == JsonValueKind.Array:
                // The deltas were missed (a stream joined late): the finished item still has the text.
                foreach (var part in parts.EnumerateArray())
                {
                    if (String(part, "type"u8) == "output_text")
                    {
                        AddText(block, String(part, "text"u8));
                    }
                    else if (String(part, "type"u8) == "refusal")
                    {
                        block.Type = "refusal";
                        AddText(block, String(part, "refusal"u8));
                    }
                }
                break;
            case "message" or "reasoning":
                break;
            default:
                block.Raw = JsonNodeOf(item);
                break;
        }
    }

    private void Snapshot(JsonElement root, bool final)
    {
        if (!TryGet(root, "response"u8, out var response))
        {
            return;
        }
        Id ??= String(response, "id"u8);
        if (String(response, "model"u8) is { Length: > 0 } model)
        {
            Model = model;
        }
        _status = String(response, "status"u8) ?? _status;
        if (TryGet(response, "usage"u8, out var usage))
        {
            SetUsage(usage);
        }
        if (!final)
        {
            return;
        }
        var reason = TryGet(response, "incomplete_details"u8, out var details) ? String(details, "reason"u8) : null;
        ChoiceAt(0).StopReason = reason ?? _status;
        if (TryGet(response, "error"u8, out var error))
        {
            Error = JsonNodeOf(error);
        }
    }
}
