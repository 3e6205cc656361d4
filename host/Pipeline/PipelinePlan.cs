namespace AgentSight.Host.Pipeline;

/// <summary>A validated pipeline: the analyzers in chain order, the sinks, and every stage for display.</summary>
internal sealed record PipelinePlan(
    IReadOnlyList<StagePlan> Analyzers,
    IReadOnlyList<StagePlan> Sinks,
    IReadOnlyList<StageListing> Disabled);
