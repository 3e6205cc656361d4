namespace AgentSight.Plugins.Sse;

/// <summary>Values of the <c>provider</c> field: whose stream format it is.</summary>
internal static class Providers
{
    public const string Anthropic = "anthropic";
    public const string OpenAiChat = "openai";
    public const string OpenAiResponses = "openai-responses";
    public const string Gemini = "gemini";
    public const string Ollama = "ollama";
    public const string Unknown = "unknown";

    /// <summary>The format an endpoint streams, from its path (query ignored); null when the path does not say.</summary>
    public static string? FromPath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        var query = path.IndexOf('?', StringComparison.Ordinal);
        var p = query >= 0 ? path.AsSpan(0, query) : path.AsSpan();
        if (p.EndsWith("/messages", StringComparison.Ordinal) || p.EndsWith(":streamRawPredict", StringComparison.Ordinal)
            || p.EndsWith(":rawPredict", StringComparison.Ordinal))
        {
            return Anthropic;
        }
        if (p.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            return OpenAiChat;
        }
        if (p.EndsWith("/responses", StringComparison.Ordinal))
        {
            return OpenAiResponses;
        }
        if (p.EndsWith(":streamGenerateContent", StringComparison.Ordinal) || p.EndsWith(":generateContent", StringComparison.Ordinal))
        {
            return Gemini;
        }
        if (p.EndsWith("/api/chat", StringComparison.Ordinal) || p.EndsWith("/api/generate", StringComparison.Ordinal))
        {
            return Ollama;
        }
        return null;
    }
}
