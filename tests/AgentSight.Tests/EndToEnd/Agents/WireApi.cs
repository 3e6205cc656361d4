namespace AgentSight.Tests.Agents;

/// <summary>The provider API a request to <see cref="AgentEndpoint"/> was answered in.</summary>
public enum WireApi
{
    /// <summary>Anthropic Messages (<c>POST /v1/messages</c>, named SSE events): Claude Code.</summary>
    AnthropicMessages,

    /// <summary>OpenAI Responses (<c>POST /v1/responses</c>, named SSE events, no <c>[DONE]</c>): Codex.</summary>
    OpenAiResponses,

    /// <summary>OpenAI Chat Completions (<c>POST /v1/chat/completions</c>, data-only SSE ending in <c>[DONE]</c>): Copilot CLI.</summary>
    OpenAiChatCompletions,

    /// <summary>Gemini (<c>:generateContent</c> JSON, <c>:streamGenerateContent?alt=sse</c> data-only SSE): Gemini CLI.</summary>
    Gemini,
}
