namespace AgentSight.Traffic;

/// <summary>What an API needs to write one response.</summary>
internal sealed record ResponseContext(
    LlmRequest Request,
    LlmAnswer Answer,
    TokenUsage Usage,
    ModelChoice Model,
    long CreatedUnixSeconds,
    SyntheticRandom Random);
