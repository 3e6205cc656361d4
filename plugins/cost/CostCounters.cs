using AgentSight.Contracts;

namespace AgentSight.Plugins.Cost;

/// <summary>The stage's counters, shown in the summary (names as in docs/ANALYZERS.md).</summary>
internal sealed class CostCounters(IStageContext context)
{
    /// <summary><c>llm</c> events given a price.</summary>
    public Counter Priced { get; } = context.Counter("calls_priced");

    /// <summary><c>llm</c> events whose model no price matched (their <c>usd</c> is null).</summary>
    public Counter UnknownModel { get; } = context.Counter("calls_unknown_model");

    /// <summary><c>llm</c> events of a priced model that reported no token usage (cut, failed): <c>usd</c> null.</summary>
    public Counter WithoutUsage { get; } = context.Counter("calls_without_usage");

    /// <summary>The priced calls' total, in millionths of a dollar (a counter is an integer).</summary>
    public Counter MicroUsd { get; } = context.Counter("cost_micro_usd");
}
