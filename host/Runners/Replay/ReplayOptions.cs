namespace AgentSight.Host.Runners.Replay;

/// <summary>What the replay runner reads and how.</summary>
internal sealed class ReplayOptions
{
    /// <summary>The <see cref="Path"/> that means standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>The longest line read; longer ones are skipped as bad lines without being buffered whole.</summary>
    public const int DefaultMaxLineBytes = 64 * 1024 * 1024;

    /// <summary>The NDJSON file to read, or <c>-</c> for standard input.</summary>
    public required string Path { get; init; }

    /// <summary>How timestamps are read; default <see cref="ReplayTimestampMode.Auto"/>.</summary>
    public ReplayTimestampMode Timestamps { get; init; } = ReplayTimestampMode.Auto;

    /// <summary>
    /// When the recorded machine booted, for boot-relative timestamps. Default null: estimated from the file's
    /// last-write time and its newest boot-relative timestamp (for standard input: from now and the first one).
    /// </summary>
    public DateTimeOffset? BootTime { get; init; }

    /// <summary>
    /// 0 (default) replays as fast as the pipeline takes events; otherwise events are paced by their timestamp
    /// differences divided by this factor (1 = real time, 10 = ten times faster).
    /// </summary>
    public double Speed { get; init; }

    /// <summary>The longest line accepted, in bytes; default <see cref="DefaultMaxLineBytes"/>. Tests make it small.</summary>
    public int MaxLineBytes { get; init; } = DefaultMaxLineBytes;

    /// <summary>
    /// Sources that show the recording went through the analyzers already while they run again (standard input, which
    /// cannot be scanned before it is read): the first event of one is warned about. Null: none.
    /// </summary>
    public IReadOnlySet<string>? WarnOnSources { get; init; }

    /// <summary>
    /// Sources left out as they are read, counted: the recorded analyzer output, when <c>--analyze yes</c> has the
    /// analyzers rebuild it from the recording's raw TLS events (kept as well, every call would count twice). Null: none.
    /// </summary>
    public IReadOnlySet<string>? DropSources { get; init; }

    /// <summary>True when reading standard input.</summary>
    public bool IsStandardInput => Path == StandardInput;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException("replay: the path is empty (give a file, or - for standard input)", nameof(Path));
        }
        if (!Enum.IsDefined(Timestamps))
        {
            throw new ArgumentException($"replay: unknown timestamps mode {(int)Timestamps}", nameof(Timestamps));
        }
        if (double.IsNaN(Speed) || double.IsInfinity(Speed) || Speed < 0)
        {
            throw new ArgumentException($"replay: speed must be 0 (as fast as possible) or a positive factor, not {Speed}", nameof(Speed));
        }
        if (MaxLineBytes < 16)
        {
            throw new ArgumentException($"replay: the line limit must be at least 16 bytes, not {MaxLineBytes}", nameof(MaxLineBytes));
        }
    }
}
