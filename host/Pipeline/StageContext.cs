using AgentSight.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Pipeline;

/// <summary>The <see cref="IStageContext"/> the host gives every instance of one stage (kept across restarts).</summary>
internal sealed class StageContext(string stageId, ILogger logger, IPipelineClock clock, IPipelineMetrics metrics, StageMetrics stageMetrics)
    : IStageContext
{
    public string StageId { get; } = stageId;

    public ILogger Logger { get; } = logger;

    public IPipelineClock Clock { get; } = clock;

    public IPipelineMetrics Metrics { get; } = metrics;

    public Counter Counter(string name) => stageMetrics.Counter(name);
}
