using AgentSight.Contracts;

namespace AgentSight.Plugins.Sse;

/// <summary>Configuration of the <c>sse</c> analyzer. Every default is valid as is.</summary>
public sealed class SseAnalyzerConfig : PluginConfig
{
    /// <summary>Also pass on the <c>http_body</c> pieces a stream was rebuilt from (<c>keep_chunks</c>); default false.</summary>
    public bool KeepChunks { get; set; }

    /// <summary>
    /// Also put every parsed event in the <c>sse</c> event, as <c>events</c> (<c>include_events</c>); default false: the
    /// accumulated <c>message</c> and <c>text</c> carry the content. Keeping every event costs about two thirds of
    /// the chain's throughput and doubles the stream's output; turn it on to audit a provider's raw stream.
    /// </summary>
    public bool IncludeEvents { get; set; }

    /// <summary>Most events kept per stream for <c>events</c> (<c>max_events</c>); default 10000. Later ones are counted in <c>events_dropped</c>.</summary>
    public int MaxEvents { get; set; } = 10_000;

    /// <summary>
    /// Most bytes one stream may hold: kept events plus accumulated content (<c>max_stream_bytes</c>); default 8 MiB.
    /// Beyond it events are dropped, then the content is cut (<c>truncated</c>).
    /// </summary>
    public long MaxStreamBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Most bytes all streams together may hold (<c>max_total_bytes</c>); default 256 MiB. Beyond it the least recently active streams are evicted.</summary>
    public long MaxTotalBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Most streams open at once (<c>max_streams</c>); default 4096. Beyond it the least recently active one is evicted.</summary>
    public int MaxStreams { get; set; } = 4096;

    /// <summary>Longest line, and longest event data, in bytes (<c>max_line_bytes</c>); default 1 MiB. Longer ones are cut.</summary>
    public int MaxLineBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Milliseconds without a piece after which a stream whose exchange never ended is emitted with
    /// <c>end_reason: idle_timeout</c> (<c>idle_timeout_ms</c>); default 900000, above the http analyzer's, which
    /// normally ends the exchange first. Measured on the pipeline clock.
    /// </summary>
    public long IdleTimeoutMs { get; set; } = 900_000;

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (MaxEvents < 0)
        {
            yield return new ConfigError("max_events", $"must be 0 or more (got {MaxEvents})");
        }
        if (MaxStreamBytes < 1024)
        {
            yield return new ConfigError("max_stream_bytes", $"must be at least 1024 (got {MaxStreamBytes})");
        }
        if (MaxTotalBytes < MaxStreamBytes)
        {
            yield return new ConfigError("max_total_bytes", $"must be at least max_stream_bytes ({MaxStreamBytes}) (got {MaxTotalBytes})");
        }
        if (MaxStreams < 1)
        {
            yield return new ConfigError("max_streams", $"must be at least 1 (got {MaxStreams})");
        }
        if (MaxLineBytes is < 256 or > 256 * 1024 * 1024)
        {
            yield return new ConfigError("max_line_bytes", $"must be between 256 and 268435456 (got {MaxLineBytes})");
        }
        if (IdleTimeoutMs < 1)
        {
            yield return new ConfigError("idle_timeout_ms", $"must be at least 1 (got {IdleTimeoutMs})");
        }
    }
}
