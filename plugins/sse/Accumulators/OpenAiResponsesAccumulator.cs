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
    private static readonly string[] EventTypes =
    [
        "response.output_text.delta", "response.function_call_arguments.delta", "response.reasoning_summary_text.delta",
        "response.reasoning_text.delta", "response.output_text.done", "response.content_part.added", "response.content_part.done",
        "response.output_item.added", "response.output_item.done", "response.function_call_arguments.done", "response.created",
        "response.in_progress", "response.completed", "response.incomplete", "response.failed", "response.done", "error",
    ];

    private readonly Dictionary<int, ContentBlock> _items = [];
    private string? _status;

    public override string Provider => Providers.OpenAiResponses;

    public override EventEffect OnEvent(string? eventType, JsonElement? json, ReadOnlySpan<byte> data)
    {
        if (json is not { ValueKind: JsonValueKind.Object } root)
        {
            return data.SequenceEqual("[DONE]"u8) ? EventEffect.End : EventEffect.None;
        }
        var type = Type(root, "type", EventTypes) ?? eventType;
        switch (type)
        {
            case "response.created" or "response.in_progress" or "response.queued":
                Snapshot(root, final: false);
                return EventEffect.None;
            case "response.completed" or "response.incomplete" or "response.failed" or "response.done":
                Snapshot(root, final: true);
                return EventEffect.End;
            case "response.output_item.added":
                if (TryGet(root, "item", out var added))
                {
                    Item(Int(root, "output_index"), added, done: false);
                }
                return EventEffect.None;
            case "response.output_item.done":
                if (TryGet(root, "item", out var done))
                {
                    Item(Int(root, "output_index"), done, done: true);
                }
                return EventEffect.None;
            case "response.output_text.delta":
                return AddText(Block(root, "text"), String(root, "delta")) ? EventEffect.Content : EventEffect.None;
            case "response.output_text.done":
                Block(root, "text").SetText(String(root, "text"));
                return EventEffect.None;
            case "response.refusal.delta":
                return AddText(Block(root, "refusal"), String(root, "delta")) ? EventEffect.Content : EventEffect.None;
            case "response.reasoning_summary_text.delta" or "response.reasoning_text.delta":
                return AddText(Block(root, "thinking"), String(root, "delta")) ? EventEffect.Content : EventEffect.None;
            case "response.function_call_arguments.delta" or "response.custom_tool_call_input.delta":
                return AddInput(Block(root, "tool_use"), String(root, "delta")) ? EventEffect.Content : EventEffect.None;
            case "response.function_call_arguments.done":
                if (String(root, "arguments") is { } arguments)
                {
                    Block(root, "tool_use").SetInput(arguments);
                }
                return EventEffect.None;
            case "error":
                Error = JsonNodeOf(TryGet(root, "error", out var error) ? error : root);
                return EventEffect.End;
            default:
                return EventEffect.None;
        }
    }

    protected override void AddExtra(JsonObject message) => message["status"] = _status;

    private ContentBlock Block(JsonElement root, string type)
    {
        var index = Int(root, "output_index");
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
        var type = String(item, "type");
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
                block.Id = String(item, "call_id") ?? block.Id;
                block.Name = String(item, "name") ?? block.Name;
                var arguments = String(item, "arguments") ?? String(item, "input");
                if (arguments is { Length: > 0 } && (done || block.InputLength == 0))
                {
                    block.SetInput(arguments);
                }
                else
                {
                    block.AppendInput(null);
                }
                break;
            case "message" when done && block.TextLength == 0 && TryGet(item, "content", out var parts) && parts.ValueKind == JsonValueKind.Array:
                // The deltas were missed (a stream joined late): the finished item still has the text.
                foreach (var part in parts.EnumerateArray())
                {
                    if (String(part, "type") == "output_text")
                    {
                        AddText(block, String(part, "text"));
                    }
                    else if (String(part, "type") == "refusal")
                    {
                        block.Type = "refusal";
                        AddText(block, String(part, "refusal"));
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
        if (!TryGet(root, "response", out var response))
        {
            return;
        }
        Id ??= String(response, "id");
        if (String(response, "model") is { Length: > 0 } model)
        {
            Model = model;
        }
        _status = String(response, "status") ?? _status;
        if (TryGet(response, "usage", out var usage))
        {
            SetUsage(usage);
        }
        if (!final)
        {
            return;
        }
        var reason = TryGet(response, "incomplete_details", out var details) ? String(details, "reason") : null;
        ChoiceAt(0).StopReason = reason ?? _status;
        if (TryGet(response, "error", out var error))
        {
            Error = JsonNodeOf(error);
        }
    }
}
