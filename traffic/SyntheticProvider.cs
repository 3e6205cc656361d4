namespace AgentSight.Traffic;

/// <summary>Which LLM API the synthetic traffic imitates.</summary>
internal enum SyntheticProvider
{
    /// <summary>A random provider per agent session (CLI name <c>mixed</c>).</summary>
    Mixed,

    /// <summary>Anthropic Messages API (<c>anthropic</c>).</summary>
    Anthropic,

    /// <summary>OpenAI Chat Completions (<c>openai</c>).</summary>
    OpenAi,

    /// <summary>OpenAI Responses API (<c>openai-responses</c>).</summary>
    OpenAiResponses,

    /// <summary>Google Gemini API (<c>gemini</c>).</summary>
    Gemini,
}
