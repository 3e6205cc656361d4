using System.Collections.Concurrent;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Contracts.Testing;

/// <summary>An <see cref="IStageContext"/> for running one plugin instance without the host.</summary>
/// <remarks>
/// The clock is event time, as during a replay: tests move <see cref="Now"/> (the suite moves it to each event's
/// timestamp before handing the event over, as the host's stage clock does). Counters are kept and readable.
/// </remarks>
public sealed class ConformanceContext : IStageContext, IPipelineClock, IPipelineMetrics
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string StageId { get; init; } = "conformance";

    /// <inheritdoc />
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <inheritdoc />
    public IPipelineClock Clock => this;

    /// <inheritdoc />
    public IPipelineMetrics Metrics => this;

    /// <summary>The clock's value, Unix epoch nanoseconds; 0 until a test or an event sets it.</summary>
    public long Now { get; set; }

    /// <inheritdoc />
    public bool IsEventTime => true;

    /// <inheritdoc />
    public Counter Counter(string name) => _counters.GetOrAdd(name, n => new Counter(n));

    /// <summary>The value of a counter, 0 if the stage never asked for it.</summary>
    public long CounterValue(string name) => _counters.TryGetValue(name, out var counter) ? counter.Value : 0;

    /// <inheritdoc />
    public PipelineMetricsSnapshot Snapshot() => new() { TakenAt = DateTimeOffset.UtcNow, Sources = [], Stages = [] };
}
