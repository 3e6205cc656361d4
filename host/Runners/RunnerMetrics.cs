using System.Collections.Concurrent;
using AgentSight.Contracts;

namespace AgentSight.Host.Runners;

/// <summary>Counters of one runner: how many events it produced and every loss or rejection it knows of.</summary>
internal sealed class RunnerMetrics
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private long _produced;

    public RunnerMetrics(string name) => Name = name;

    public string Name { get; }

    public long Produced => Volatile.Read(ref _produced);

    public void AddProduced() => Interlocked.Increment(ref _produced);

    /// <summary>A named counter such as <c>bad_lines</c>; created at zero on first use.</summary>
    public Counter Counter(string name) => _counters.GetOrAdd(name, static n => new Counter(n));

    public SourceMetricsSnapshot Snapshot() => new()
    {
        Name = Name,
        Produced = Produced,
        Counters = _counters.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToDictionary(c => c.Name, c => c.Value),
    };
}
