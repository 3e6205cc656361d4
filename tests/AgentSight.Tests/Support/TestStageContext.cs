using System.Collections.Concurrent;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Tests.Support;

/// <summary>An <see cref="IStageContext"/> for running one plugin instance in a unit test.</summary>
public sealed class TestStageContext : IStageContext, IPipelineClock, IPipelineMetrics
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new();

    public string StageId { get; init; } = "test";

    public ILogger Logger { get; init; } = NullLogger.Instance;

    public IPipelineClock Clock => this;

    public IPipelineMetrics Metrics => this;

    /// <summary>The clock's value; tests move it.</summary>
    public long Now { get; set; } = Some.Epoch;

    public bool IsEventTime => true;

    public Counter Counter(string name) => _counters.GetOrAdd(name, n => new Counter(n));

    public long CounterValue(string name) => _counters.TryGetValue(name, out var c) ? c.Value : 0;

    public PipelineMetricsSnapshot Snapshot() => new()
    {
        TakenAt = DateTimeOffset.UtcNow,
        Sources = [],
        Stages = [],
    };
}
