namespace AgentSight.Traffic;

/// <summary>What the synthetic runner generates.</summary>
internal sealed class SyntheticOptions
{
    /// <summary>The seed used when none is given: the same traffic every run.</summary>
    public const ulong DefaultSeed = 1;

    /// <summary>How many LLM calls (HTTP request/response exchanges); default 5.</summary>
    public int Count { get; init; } = 5;

    /// <summary>
    /// Wall-clock pause, in milliseconds, before each call is written into the pipeline; default 100, 0 for none.
    /// Event timestamps do not depend on it.
    /// </summary>
    public int IntervalMs { get; init; } = 100;

    /// <summary>Which API to imitate; default <see cref="SyntheticProvider.Mixed"/>.</summary>
    public SyntheticProvider Provider { get; init; } = SyntheticProvider.Mixed;

    /// <summary>The random seed; the same seed and options give byte-identical events. Default <see cref="DefaultSeed"/>.</summary>
    public ulong Seed { get; init; } = DefaultSeed;

    /// <summary>
    /// Timestamp of the first event, Unix epoch nanoseconds. Default null: the runner uses now; the pure generator
    /// uses <see cref="SyntheticTraffic.DefaultStartTime"/>.
    /// </summary>
    public long? StartTime { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Count < 0)
        {
            throw new ArgumentException($"synthetic: count must be 0 or more, not {Count}", nameof(Count));
        }
        if (IntervalMs < 0)
        {
            throw new ArgumentException($"synthetic: interval must be 0 ms or more, not {IntervalMs}", nameof(IntervalMs));
        }
        if (!Enum.IsDefined(Provider))
        {
            throw new ArgumentException($"synthetic: unknown provider {(int)Provider}", nameof(Provider));
        }
        if (StartTime is < 0)
        {
            throw new ArgumentException($"synthetic: start time must be after 1970, not {StartTime}", nameof(StartTime));
        }
    }
}
