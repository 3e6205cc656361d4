using AgentSight.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Benchmarks;

/// <summary>A stage context for plugins called directly, without the bus: event time that the caller advances.</summary>
internal sealed class BenchStageContext(string stageId = "bench") : IStageContext, IPipelineClock, IPipelineMetrics
{
    private readonly Dictionary<string, Counter> _counters = [];

    public string StageId { get; } = stageId;

    public ILogger Logger => NullLogger.Instance;

    public IPipelineClock Clock => this;

    public IPipelineMetrics Metrics => this;

    /// <summary>The newest event time seen, as the host's event clock keeps it during replay.</summary>
    public long Now { get; private set; }

    public bool IsEventTime => true;

    public IReadOnlyDictionary<string, Counter> Counters => _counters;

    public void Observe(long timestamp) => Now = Math.Max(Now, timestamp);

    public Counter Counter(string name) => _counters.TryGetValue(name, out var c) ? c : _counters[name] = new Counter(name);

    public PipelineMetricsSnapshot Snapshot() => new() { TakenAt = DateTimeOffset.UtcNow, Sources = [], Stages = [] };
}
