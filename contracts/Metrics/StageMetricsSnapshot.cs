namespace AgentSight.Contracts;

/// <summary>Counters of one stage.</summary>
public sealed class StageMetricsSnapshot
{
    /// <summary>The stage id (unique in the manifest).</summary>
    public required string Id { get; init; }

    /// <summary>The plugin the stage runs.</summary>
    public required string Plugin { get; init; }

    /// <summary>Analyzer or sink.</summary>
    public required PluginKind Kind { get; init; }

    /// <summary>1-based position in the manifest.</summary>
    public required int Position { get; init; }

    /// <summary>The stage's state.</summary>
    public required StageState State { get; init; }

    /// <summary>Events taken from the queue.</summary>
    public required long In { get; init; }

    /// <summary>Events emitted (analyzers) or written (sinks).</summary>
    public required long Out { get; init; }

    /// <summary>Events the queue dropped under a <c>drop-oldest</c>/<c>drop-newest</c> policy, or that a removed sink did not take.</summary>
    public required long Dropped { get; init; }

    /// <summary>Events on which the plugin threw.</summary>
    public required long Failed { get; init; }

    /// <summary>Times the stage was restarted with fresh state after a failure.</summary>
    public required int Restarts { get; init; }

    /// <summary>Events waiting in the queue now.</summary>
    public required int QueueDepth { get; init; }

    /// <summary>The most events seen waiting at once (sampled).</summary>
    public required int QueueHighWater { get; init; }

    /// <summary>The queue's bound.</summary>
    public required int QueueCapacity { get; init; }

    /// <summary>The queue's backpressure policy: <c>block</c>, <c>drop-oldest</c> or <c>drop-newest</c>.</summary>
    public required string Backpressure { get; init; }

    /// <summary>Time spent inside the plugin's code.</summary>
    public required TimeSpan TimeSpent { get; init; }

    /// <summary>The stage's own counters (see <see cref="IStageContext.Counter"/>).</summary>
    public required IReadOnlyDictionary<string, long> Counters { get; init; }
}
