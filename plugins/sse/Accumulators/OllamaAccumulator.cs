using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Sse.Accumulators;

/// <summary>
/// Ollama's NDJSON streams (<c>/api/chat</c>, <c>/api/generate</c>): each line a chunk with <c>message.content</c>
/// (or <c>response</c>), <c>message.thinking</c>, <c>message.tool_calls</c>; the line with <c>done: true</c> ends the
/// stream and carries <c>done_reason</c> and the counts (durations in ns).
/// </summary>
internal sealed class OllamaAccumulator : StreamAccumulator
{
    private static readonly string[] UsageFields =
        ["prompt_eval_count", "eval_count", "total_duration", "load_duration", "prompt_eval_duration", "eval_duration"];

    public override string Provider => Providers.Ollama;

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
        Model ??= String(root, "model"u8);
        var choice = ChoiceAt(0);
        var effect = EventEffect.None;
        if (TryGet(root, "message"u8, out var message))
        {
            if (String(message, "thinking"u8) is { Length: > 0 } thinking && AddText(choice.Last("thinking"), thinking))
            {
                effect = EventEffect.Content;
            }
            if (String(message, "content"u8) is { Length: > 0 } content && AddText(choice.Last("text"), content))
            {
                effect = EventEffect.Content;
            }
            if (TryGet(message, "tool_calls"u8, out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    var function = TryGet(call, "function"u8, out var f) ? f : default;
                    choice.Blocks.Add(new ContentBlock("tool_use")
                    {
                        Id = String(call, "id"u8),
                        Name = String(function, "name"u8),
                        InputValue = TryGet(function, "arguments"u8, out var args) ? JsonNodeOf(args) : null,
                    });
                    effect = EventEffect.Content;
                }
            }
        }
        else if (String(root, "response"u8) is { Length: > 0 } response && AddText(choice.Last("text"), response))
        {
            effect = EventEffect.Content;
        }
        if (root.TryGetProperty("done"u8, out var done) && done.ValueKind == JsonValueKind.True)
        {
            choice.StopReason = String(root, "done_reason"u8) ?? "stop";
            var usage = new JsonObject();
            foreach (var name in UsageFields)
            {
                if (TryGet(root, name, out var value))
                {
                    usage[name] = JsonNodeOf(value);
                }
            }
            Usage = usage;
            return effect | EventEffect.End;
        }
        return effect;
    }
}
