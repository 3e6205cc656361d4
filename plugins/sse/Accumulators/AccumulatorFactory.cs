using System.Text.Json;

namespace AgentSight.Plugins.Sse.Accumulators;

/// <summary>Picks the accumulator for a stream: by endpoint path, else by the shape of its first events.</summary>
internal static class AccumulatorFactory
{
    public static StreamAccumulator For(string? provider) => provider switch
    {
        Providers.Anthropic => new AnthropicAccumulator(),
        Providers.OpenAiChat => new OpenAiChatAccumulator(),
        Providers.OpenAiResponses => new OpenAiResponsesAccumulator(),
        Providers.Gemini => new GeminiAccumulator(),
        Providers.Ollama => new OllamaAccumulator(),
        _ => new PlainAccumulator(),
    };

    /// <summary>The provider whose stream an event looks like, or null.</summary>
    public static string? Recognize(string? eventType, JsonElement? json)
    {
        if (eventType is not null && (eventType.StartsWith("message_", StringComparison.Ordinal)
            || eventType.StartsWith("content_block_", StringComparison.Ordinal)))
        {
            return Providers.Anthropic;
        }
        if (eventType is not null && eventType.StartsWith("response.", StringComparison.Ordinal))
        {
            return Providers.OpenAiResponses;
        }
        if (json is not { ValueKind: JsonValueKind.Object } root)
        {
            return null;
        }
        if (root.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String)
        {
            var name = type.GetString()!;
            if (name is "message_start" or "content_block_start" or "content_block_delta" or "message_delta")
            {
                return Providers.Anthropic;
            }
            if (name.StartsWith("response.", StringComparison.Ordinal))
            {
                return Providers.OpenAiResponses;
            }
        }
        if (root.TryGetProperty("object"u8, out var obj) && obj.ValueKind == JsonValueKind.String
            && obj.ValueEquals("chat.completion.chunk"))
        {
            return Providers.OpenAiChat;
        }
        if (root.TryGetProperty("candidates"u8, out _)
            || (root.TryGetProperty("response"u8, out var wrapped) && wrapped.ValueKind == JsonValueKind.Object && wrapped.TryGetProperty("candidates"u8, out _)))
        {
            return Providers.Gemini;
        }
        if (root.TryGetProperty("done"u8, out var done) && done.ValueKind is JsonValueKind.True or JsonValueKind.False
            && root.TryGetProperty("model"u8, out _))
        {
            return Providers.Ollama;
        }
        return null;
    }
}
