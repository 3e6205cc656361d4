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
        if (TryGet(root, "error", out var error))
        {
            Error = JsonNodeOf(error);
            return EventEffect.None;
        }
        // Every chunk repeats the id and model (Azure's first chunk has them empty): read them until known.
        if (Id is null && String(root, "id") is { Length: > 0 } id)
        {
            Id = id;
        }
        if (Model is null && String(root, "model") is { Length: > 0 } model)
        {
            Model = model;
        }
        if (TryGet(root, "usage", out var usage))
        {
            SetUsage(usage);
        }
        var effect = EventEffect.None;
        if (TryGet(root, "choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            var position = 0;
            foreach (var choice in choices.EnumerateArray())
            {
                effect |= OnChoice(choice, Int(choice, "index", position++));
            }
        }
        return effect;
    }

    private EventEffect OnChoice(JsonElement element, int index)
    {
        var choice = ChoiceAt(index);
        var effect = EventEffect.None;
        if (TryGet(element, "delta", out var delta))
        {
            var reasoning = String(delta, "reasoning_content") ?? String(delta, "reasoning");
            if (reasoning is { Length: > 0 } && AddText(choice.Last("thinking"), reasoning))
            {
                effect = EventEffect.Content;
            }
            if (String(delta, "content") is { Length: > 0 } content && AddText(choice.Last("text"), content))
            {
                effect = EventEffect.Content;
            }
            if (String(delta, "refusal") is { Length: > 0 } refusal && AddText(choice.Last("refusal"), refusal))
            {
                effect = EventEffect.Content;
            }
            if (TryGet(delta, "tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                var position = 0;
                foreach (var call in calls.EnumerateArray())
                {
                    var key = (index, Int(call, "index", position++));
                    if (!_calls.TryGetValue(key, out var block))
                    {
                        block = new ContentBlock("tool_use");
                        block.AppendInput(null);
                        _calls[key] = block;
                        choice.Blocks.Add(block);
                    }
                    block.Id ??= String(call, "id");
                    if (TryGet(call, "function", out var function))
                    {
                        block.Name ??= String(function, "name");
                        if (AddInput(block, String(function, "arguments")))
                        {
                            effect = EventEffect.Content;
                        }
                    }
                }
            }
        }
        if (String(element, "finish_reason") is { } finish)
        {
            choice.StopReason = finish;
        }
        return effect;
    }
}
