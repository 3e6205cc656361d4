namespace AgentSight.Plugins.Llm.Apis;

/// <summary>Token counts in the conventions' terms: input includes cached tokens, reasoning is inside output; null when not said.</summary>
internal readonly record struct TokenUsage(long? Input, long? Output, long? CacheRead, long? CacheCreation, long? Reasoning);
