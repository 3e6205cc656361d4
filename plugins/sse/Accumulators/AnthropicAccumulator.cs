using System.Text.Json;

namespace AgentSight.Plugins.Sse.Accumulators;

/// <summary>
/// Anthropic Messages streams: <c>message_start</c>, per block <c>content_block_start</c> / <c>_delta</c>* /
/// <c>_stop</c>, <c>message_delta</c> (stop reason, cumulative usage), <c>message_stop</c>; <c>ping</c> anywhere;
/// <c>error</c> ends the stream. Unknown event types are ignored, as the API asks.
/// </summary>
internal sealed class AnthropicAccumulator : StreamAccumulator
{
    private static readonly string[] EventTypes =
        ["content_block_delta", "content_block_start", "content_block_stop", "ping", "message_delta", "message_start", "message_stop", "error"];

    private static readonly string[] DeltaTypes = ["text_delta", "input_json_delta", "thinking_delta", "signature_delta", "citations_delta"];

    private readonly Dictionary<int, ContentBlock> _blocks = [];
    private string? _stopSequence;

    public override string Provider => Providers.Anthropic;

    public override EventEffect OnEvent(string? eventType, JsonElement? json, ReadOnlySpan<byte> data)
    {
        if (json is not { ValueKind: JsonValueKind.Object } root)
        {
            return EventEffect.None;
        }
        var type = Type(root, "type", EventTypes) ?? eventType;
        switch (type)
        {
            case "message_start":
                if (TryGet(root, "message", out var message))
                {
                    Id ??= String(message, "id");
                    Model ??= String(message, "model");
                    if (TryGet(message, "usage", out var usage))
                    {
                        MergeUsage(usage);
                    }
                }
                return EventEffect.None;
            case "content_block_start":
                return Start(Int(root, "index"), TryGet(root, "content_block", out var start) ? start : default);
            case "content_block_delta":
                return TryGet(root, "delta", out var delta) ? Delta(Int(root, "index"), delta) : EventEffect.None;
            case "message_delta":
                if (TryGet(root, "delta", out var messageDelta))
                {
                    ChoiceAt(0).StopReason = String(messageDelta, "stop_reason") ?? ChoiceAt(0).StopReason;
                    _stopSequence = String(messageDelta, "stop_sequence") ?? _stopSequence;
                }
                if (TryGet(root, "usage", out var deltaUsage))
                {
                    MergeUsage(deltaUsage);
                }
                return EventEffect.None;
            case "message_stop":
                return EventEffect.End;
            case "error":
                Error = JsonNodeOf(TryGet(root, "error", out var error) ? error : root);
                return EventEffect.End;
            default:
                return EventEffect.None;
        }
    }

    protected override void AddExtra(System.Text.Json.Nodes.JsonObject message) => message["stop_sequence"] = _stopSequence;

    private EventEffect Start(int index, JsonElement start)
    {
        var type = String(start, "type") ?? "text";
        var block = new ContentBlock(type);
        _blocks[index] = block;
        ChoiceAt(0).Blocks.Add(block);
        var effect = EventEffect.None;
        switch (type)
        {
            case "text":
                effect = AddText(block, String(start, "text")) ? EventEffect.Content : EventEffect.None;
                break;
            case "thinking":
                effect = AddText(block, String(start, "thinking")) ? EventEffect.Content : EventEffect.None;
                block.Signature = String(start, "signature");
                break;
            case "redacted_thinking":
                block.Data = String(start, "data");
                break;
            default:
                if (TryGet(start, "input", out var input) || type.EndsWith("tool_use", StringComparison.Ordinal))
                {
                    block.Id = String(start, "id");
                    block.Name = String(start, "name");
                    block.InputValue = TryGet(start, "input", out input) && !(input.ValueKind == JsonValueKind.Object && !input.EnumerateObject().Any())
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

    private EventEffect Delta(int index, JsonElement delta)
    {
        if (!_blocks.TryGetValue(index, out var block))
        {
            // A delta whose start was not seen (cut stream): make the block from the delta's kind.
            block = new ContentBlock(Type(delta, "type", DeltaTypes) switch
            {
                "thinking_delta" or "signature_delta" => "thinking",
                "input_json_delta" => "tool_use",
                _ => "text",
            });
            _blocks[index] = block;
            ChoiceAt(0).Blocks.Add(block);
        }
        switch (Type(delta, "type", DeltaTypes))
        {
            case "text_delta":
                return AddText(block, String(delta, "text")) ? EventEffect.Content : EventEffect.None;
            case "thinking_delta":
                return AddText(block, String(delta, "thinking")) ? EventEffect.Content : EventEffect.None;
            case "input_json_delta":
                return AddInput(block, String(delta, "partial_json")) ? EventEffect.Content : EventEffect.None;
            case "signature_delta":
                block.Signature = (block.Signature ?? "") + String(delta, "signature");
                return EventEffect.None;
            case "citations_delta":
                if (TryGet(delta, "citation", out var citation))
                {
                    (block.Citations ??= []).Add(JsonNodeOf(citation));
                }
                return EventEffect.None;
            default:
                return EventEffect.None;
        }
    }
}
