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
        if (TryGet(root, "error", out var error))
        {
            Error = JsonNodeOf(error);
            return EventEffect.End;
        }
        if (!root.TryGetProperty("candidates", out _) && TryGet(root, "response", out var wrapped))
        {
            Id ??= String(root, "traceId");
            root = wrapped;
        }
        if (String(root, "responseId") is { Length: > 0 } id)
        {
            Id = id;
        }
        if (String(root, "modelVersion") is { Length: > 0 } model)
        {
            Model = model;
        }
        if (TryGet(root, "usageMetadata", out var usage))
        {
            SetUsage(usage);
        }
        if (TryGet(root, "promptFeedback", out var feedback) && String(feedback, "blockReason") is { } blocked)
        {
            _blockReason = blocked;
        }
        var effect = EventEffect.None;
        if (TryGet(root, "candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array)
        {
            var position = 0;
            foreach (var candidate in candidates.EnumerateArray())
            {
                effect |= Candidate(candidate, Int(candidate, "index", position++));
            }
        }
        return effect;
    }

    protected override void AddExtra(JsonObject message)
    {
        if (_blockReason is not null)
        {
            message["block_reason"] = _blockReason;
        }
    }

    private EventEffect Candidate(JsonElement candidate, int index)
    {
        var choice = ChoiceAt(index);
        var effect = EventEffect.None;
        if (TryGet(candidate, "content", out var content) && TryGet(content, "parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in parts.EnumerateArray())
            {
                if (String(part, "text") is { } text)
                {
                    var thought = part.TryGetProperty("thought", out var flag) && flag.ValueKind == JsonValueKind.True;
                    var block = choice.Last(thought ? "thinking" : "text");
                    if (AddText(block, text))
                    {
                        effect = EventEffect.Content;
                    }
                    if (String(part, "thoughtSignature") is { } signature)
                    {
                        block.Signature = signature;
                    }
                }
                else if (TryGet(part, "functionCall", out var call))
                {
                    var block = new ContentBlock("tool_use")
                    {
                        Id = String(call, "id"),
                        Name = String(call, "name"),
                        InputValue = TryGet(call, "args", out var args) ? JsonNodeOf(args) : null,
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
        if (String(candidate, "finishReason") is { } finish)
        {
            choice.StopReason = finish;
        }
        return effect;
    }
}
