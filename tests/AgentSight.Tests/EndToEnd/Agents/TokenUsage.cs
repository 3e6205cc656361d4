namespace AgentSight.Tests.Agents;

/// <summary>The token counts an answer of <see cref="AgentEndpoint"/> reports (no cached or reasoning tokens).</summary>
public readonly record struct TokenUsage(int InputTokens, int OutputTokens)
{
    public int TotalTokens => InputTokens + OutputTokens;
}
