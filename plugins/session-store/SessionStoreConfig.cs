using AgentSight.Contracts;

namespace AgentSight.Plugins.SessionStore;

/// <summary>Configuration of the <c>session-store</c> sink.</summary>
public sealed class SessionStoreConfig : PluginConfig
{
    /// <summary>The placeholder in <see cref="Path"/> replaced by the session's start time (local, <c>yyyyMMdd-HHmmss</c>).</summary>
    public const string TimePlaceholder = "{time}";

    /// <summary>
    /// The database file (<c>path</c>); default <c>session-{time}.db</c> in the current folder, <c>{time}</c> being the
    /// start time. Missing folders are created. One file holds one session.
    /// </summary>
    public string Path { get; set; } = "session-" + TimePlaceholder + ".db";

    /// <summary>Replace an existing file at <see cref="Path"/> (<c>overwrite</c>); default false: refuse to start.</summary>
    public bool Overwrite { get; set; }

    /// <summary>Events written in one transaction at most (<c>batch_size</c>); default 1000.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Longest time an event waits before it is written, in milliseconds (<c>flush_interval_ms</c>); default 500.</summary>
    public int FlushIntervalMs { get; set; } = 500;

    /// <summary>How often the pipeline's counters are stored, in milliseconds (<c>counters_interval_ms</c>); default 5000, and always at the end.</summary>
    public int CountersIntervalMs { get; set; } = 5000;

    /// <summary>
    /// Megabytes of events held in memory while the database cannot be written (<c>max_held_mb</c>); default 64. A full
    /// disk does not stop the store: it retries (50 ms, doubling up to 5 s) and writes what it holds once space comes
    /// back. Events past this bound are dropped and counted (<c>events_dropped</c>).
    /// </summary>
    public double MaxHeldMb { get; set; } = 64;

    /// <summary>The bound on held events in bytes.</summary>
    internal long MaxHeldBytes => Math.Max(1, (long)Math.Round(MaxHeldMb * 1_000_000));

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return new ConfigError("path", "must be a file path");
        }
        else if (Path.Contains('\0', StringComparison.Ordinal))
        {
            yield return new ConfigError("path", "must not contain a NUL character");
        }
        else if (Path.EndsWith('/'))
        {
            yield return new ConfigError("path", $"must name a file, not a directory (got \"{Path}\")");
        }
        if (BatchSize is < 1 or > 1_000_000)
        {
            yield return new ConfigError("batch_size", $"must be between 1 and 1000000 (got {BatchSize})");
        }
        if (FlushIntervalMs is < 10 or > 600_000)
        {
            yield return new ConfigError("flush_interval_ms", $"must be between 10 and 600000 (got {FlushIntervalMs})");
        }
        if (double.IsNaN(MaxHeldMb) || MaxHeldMb <= 0 || MaxHeldMb > 65_536)
        {
            yield return new ConfigError("max_held_mb", $"must be more than 0 and at most 65536 megabytes (got {MaxHeldMb})");
        }
        if (CountersIntervalMs is < 100 or > 3_600_000)
        {
            yield return new ConfigError("counters_interval_ms", $"must be between 100 and 3600000 (got {CountersIntervalMs})");
        }
    }

    /// <summary>The path with <c>{time}</c> replaced.</summary>
    internal string ResolvePath(DateTimeOffset now) =>
        System.IO.Path.GetFullPath(Path.Replace(TimePlaceholder, now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
}
