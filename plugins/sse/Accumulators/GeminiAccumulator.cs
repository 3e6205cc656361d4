using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Sse.Accumulators;

/// <summary>
/// Gemini <c>streamGenerateContent?alt=sse</c>: data-only <c>GenerateContentResponse</c> chunks (also wrapped in
/// <c>{"response": …}</c> by the Code Assist <c>v1internal</c> endpoint); text parts concatenated per candidate,
/// <c>thought</c> parts as thinking, <c>functionCall</c> parts whole; the last <c>usageMetadata</c> wins. No end
/// marker: the stream ends with the body.
/// </summary>
internal sealed class GeminiAccumulator : StreamAccumulator
{
    private string? _blockReason;

    public override string Provider => Providers.Gemini;

    public override bool HasEndMarker => false;

    public override EventEffect OnEvent(string? eventType, JsonElement? json, ReadOnlySpan<byte> data)
    {
        if (json is not { ValueKind: JsonValueKind.Object } root)
        {
            return EventEffect.None;
        }
        if (TryGet(root, "error"u8, out var error))
        {
            Error = JsonNodeOf(error);
            return EventEffect.End;
        }
        if (!root.TryGetProperty("candidates"u8, out _) && TryGet(root, "response"u8, out var wrapped))
        {
            Id ??= String(root, "traceId"u8);
            root = wrapped;
        }
        if (String(root, "responseId"u8) is { Length: > 0 } id)
        {
            Id = id;
        }
        if (String(root, "modelVersion"u8) is { Length: > 0 } model)
        {
            Model = model;
        }
        if (TryGet(root, "usageMetadata"u8, out var usage))
        {
            SetUsage(usage);
        }
        if (TryGet(root, "promptFeedback"u8, out var feedback) && String(feedback, "blockReason"u8) is { } blocked)
        {
            _blockReason = blocked;
        }
        var effect = EventEffect.None;
        if (TryGet(root, "candidates"u8, out var candidates) && candidates.ValueKind == JsonValueKind.Array)
        {
            var position = 0;
            foreach (var candidate in candidates.EnumerateArray())
            {
                effect |= Candidate(candidate, Int(candidate, "index"u8, position++));
            }
        }
        return effect;
    }

    protected override void AddExtra(List<KeyValuePair<string, JsonNode?>> message)
    {
        if (_blockReason is not null)
        {
            message.Add(new("block_reason", _blockReason));
        }
    }

    private EventEffect Candidate(JsonElement candidate, int index)
    {
        var choice = ChoiceAt(index);
        var effect = EventEffect.None;
        if (TryGet(candidate, "content"u8, out var content) && TryGet(content, "parts"u8, out var parts) && parts.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in parts.EnumerateArray())
            {
                if (String(part, "text"u8) is { } text)
                {
                    var thought = part.TryGetProperty("thought"u8, out var flag) && flag.ValueKind == JsonValueKind.True;
                    var block = choice.Last(thought ? "thinking" : "text");
                    if (AddText(block, text))
                    {
                        effect = EventEffect.Content;
                    }
                    if (String(part, "thoughtSignature"u8) is { } signature)
                    {
                        block.Signature = signature;
                    }
                }
                else if (TryGet(part, "functionCall"u8, out var call))
                {
                    var block = new ContentBlock("tool_use")
                    {
                        Id = String(call, "id"u8),
                        Name = String(call, "name"u8),
                        InputValue = TryGet(call, "args"u8, out var args) ? JsonNodeOf(args) : null,
                    };
                    choice.Blocks.Add(block);
                    effect = EventEffect.Content;
                }
                else if (part.ValueKind == JsonValueKind.Object)
                {
                    choice.Blocks.Add(new ContentBlock("part") { Raw = JsonNodeOf(part) });
                }
            }
        }
        if (String(candidate, "finishReason"u8) is { } finish)
        {
            choice.StopReason = finish;
        }
        return effect;
    }
}
