namespace AgentSight.Plugins.Llm;

/// <summary>The wire format of a call.</summary>
internal enum ApiKind
{
    AnthropicMessages,
    OpenAiChat,
    OpenAiResponses,
    Gemini,
    OllamaChat,
    OllamaGenerate,
}
