namespace AgentSight.Traffic;

/// <summary>Token counts of one call, exactly as the provider reports them on the wire.</summary>
/// <param name="InputTokens">
/// Anthropic <c>input_tokens</c> (excludes cached tokens); OpenAI <c>prompt_tokens</c> / Responses
/// <c>input_tokens</c> (include cached tokens); Gemini <c>promptTokenCount</c>.
/// </param>
/// <param name="OutputTokens">
/// Anthropic final <c>output_tokens</c>; OpenAI <c>completion_tokens</c> / Responses <c>output_tokens</c> (include
/// reasoning tokens); Gemini <c>candidatesTokenCount</c> (excludes thoughts).
/// </param>
/// <param name="CachedInputTokens">
/// Anthropic <c>cache_read_input_tokens</c>; OpenAI <c>cached_tokens</c> (a part of the input); Gemini
/// <c>cachedContentTokenCount</c> (sent only when not 0).
/// </param>
/// <param name="CacheCreationInputTokens">Anthropic <c>cache_creation_input_tokens</c>; 0 for the others.</param>
/// <param name="ReasoningTokens">OpenAI <c>reasoning_tokens</c>; Gemini <c>thoughtsTokenCount</c> (sent only when not 0); 0 for Anthropic.</param>
internal sealed record TokenUsage(long InputTokens, long OutputTokens, long CachedInputTokens, long CacheCreationInputTokens, long ReasoningTokens)
{
    /// <summary>OpenAI <c>total_tokens</c> and Gemini <c>totalTokenCount</c>.</summary>
    public long TotalTokens(SyntheticProvider provider) => provider == SyntheticProvider.Gemini
        ? InputTokens + OutputTokens + ReasoningTokens
        : InputTokens + OutputTokens;
}
