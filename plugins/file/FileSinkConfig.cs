using AgentSight.Contracts;

namespace AgentSight.Plugins.File;

/// <summary>Configuration of the <c>file</c> sink.</summary>
public sealed class FileSinkConfig : PluginConfig
{
    /// <summary>Bytes in one megabyte of <see cref="MaxSizeMb"/>: 1,000,000, as in the original tool.</summary>
    public const long BytesPerMegabyte = 1_000_000;

    /// <summary>The largest accepted <see cref="MaxFiles"/>: each rotation looks at every backup name.</summary>
    public const int MaxBackups = 10_000;

    /// <summary>The largest accepted <see cref="MaxSizeMb"/>, so the size in bytes fits a 64-bit count.</summary>
    public const double MaxSizeMbLimit = 9_000_000_000_000;

    /// <summary>
    /// The file (<c>path</c>); default <c>events.jsonl</c>. A relative path is resolved against the current directory
    /// when the sink starts; missing parent directories are created.
    /// </summary>
    public string Path { get; set; } = "events.jsonl";

    /// <summary>
    /// Keep an existing file's content and add to it (<c>append</c>, the default true), or empty it at start (false).
    /// </summary>
    public bool Append { get; set; } = true;

    /// <summary>
    /// Size in megabytes (1,000,000 bytes) above which the file is rotated (<c>max_size_mb</c>); default 0, no rotation.
    /// </summary>
    public double MaxSizeMb { get; set; }

    /// <summary>How many rotated files (<c>path.1</c> newest … <c>path.N</c> oldest) are kept (<c>max_files</c>); default 5.</summary>
    public int MaxFiles { get; set; } = 5;

    /// <summary>When buffered lines are written out (<c>flush</c>): <c>drain</c> (the default), <c>every_event</c> or <c>interval</c>.</summary>
    public FileFlushPolicy Flush { get; set; } = FileFlushPolicy.Drain;

    /// <summary>With <c>flush: interval</c>, the milliseconds between writes (<c>flush_interval_ms</c>); default 1000.</summary>
    public int FlushIntervalMs { get; set; } = 1000;

    /// <summary>Also force written lines to disk (fsync) at each flush (<c>fsync</c>); default false.</summary>
    /// <remarks>
    /// Under <c>drain</c> a light load can mean an fsync per flush, up to 200 a second (the host flushes a sink at most
    /// every 5 ms); <c>interval</c> bounds the rate further.
    /// </remarks>
    public bool Fsync { get; set; }

    /// <summary>The largest accepted <see cref="MaxHeldMb"/>: it is memory.</summary>
    public const double MaxHeldMbLimit = 65_536;

    /// <summary>
    /// Megabytes of events held in memory while the file cannot be written (<c>max_held_mb</c>); default 64. A full
    /// disk does not stop the sink: it retries (50 ms, doubling up to 5 s) and writes what it holds once space comes
    /// back. Events past this bound are dropped and counted (<c>events_dropped</c>).
    /// </summary>
    public double MaxHeldMb { get; set; } = 64;

    /// <summary>The rotation limit in bytes, 0 when rotation is off.</summary>
    /// <remarks>Rounded, not truncated: 0.000201 MB times 1,000,000 is 200.99999999999997 in binary floating point.</remarks>
    internal long MaxSizeBytes => MaxSizeMb > 0 ? Math.Max(1, (long)Math.Round(MaxSizeMb * BytesPerMegabyte)) : 0;

    /// <summary>The bound on held events in bytes.</summary>
    internal long MaxHeldBytes => Math.Max(1, (long)Math.Round(MaxHeldMb * BytesPerMegabyte));

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return new ConfigError("path", $"must be a file path (got {(Path is null ? "null" : $"\"{Path}\"")})");
        }
        else if (Path.Contains('\0', StringComparison.Ordinal))
        {
            yield return new ConfigError("path", "must not contain a NUL character");
        }
        else if (Path.EndsWith('/') || Path.EndsWith(System.IO.Path.DirectorySeparatorChar))
        {
            yield return new ConfigError("path", $"must name a file, not a directory (got \"{Path}\")");
        }
        if (double.IsNaN(MaxSizeMb) || MaxSizeMb < 0)
        {
            yield return new ConfigError("max_size_mb", $"must be 0 (no rotation) or a positive number of megabytes (got {MaxSizeMb})");
        }
        else if (MaxSizeMb > MaxSizeMbLimit)
        {
            yield return new ConfigError("max_size_mb", $"must be at most {MaxSizeMbLimit} (got {MaxSizeMb})");
        }
        if (double.IsNaN(MaxHeldMb) || MaxHeldMb <= 0 || MaxHeldMb > MaxHeldMbLimit)
        {
            yield return new ConfigError("max_held_mb", $"must be more than 0 and at most {MaxHeldMbLimit} megabytes (got {MaxHeldMb})");
        }
        if (MaxFiles is < 1 or > MaxBackups)
        {
            yield return new ConfigError("max_files", $"must be between 1 and {MaxBackups} (got {MaxFiles})");
        }
        if (!Enum.IsDefined(Flush))
        {
            yield return new ConfigError("flush", $"must be drain, every_event or interval (got {(int)Flush})");
        }
        if (FlushIntervalMs < 1)
        {
            yield return new ConfigError("flush_interval_ms", $"must be at least 1 (got {FlushIntervalMs})");
        }
    }
}
