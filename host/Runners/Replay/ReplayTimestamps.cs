using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Runners.Replay;

/// <summary>Turns each recorded timestamp into Unix epoch nanoseconds, and says once per unit what it did.</summary>
/// <remarks>
/// Boot-relative values all get the same offset, so the order and spacing of events stay exactly as recorded.
/// </remarks>
internal sealed class ReplayTimestamps
{
    /// <summary>From here up a value is epoch nanoseconds in auto mode: 1e17 ns after boot is over three years of uptime.</summary>
    public const long EpochNanosecondsFrom = 100_000_000_000_000_000;

    private const long NanosecondsPerMillisecond = 1_000_000;

    private readonly ReplayOptions _options;
    private readonly string _sourceName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool[] _logged = new bool[3];
    private long? _bootOffset;

    public ReplayTimestamps(ReplayOptions options, string sourceName, TimeProvider time, ILogger logger)
    {
        _options = options;
        _sourceName = sourceName;
        _time = time;
        _logger = logger;
    }

    /// <summary>The unit of <paramref name="raw"/> under <paramref name="mode"/>.</summary>
    /// <param name="mode">The configured mode.</param>
    /// <param name="raw">The recorded value.</param>
    /// <param name="fakeRunnerLine">True for an original FakeRunner line (epoch ms with <c>timestamp_ns</c> = ms × 1e6).</param>
    public static TimestampUnit Classify(ReplayTimestampMode mode, long raw, bool fakeRunnerLine) => mode switch
    {
        ReplayTimestampMode.Ns => TimestampUnit.EpochNanoseconds,
        ReplayTimestampMode.Ms => TimestampUnit.EpochMilliseconds,
        ReplayTimestampMode.Boot => TimestampUnit.BootNanoseconds,
        _ when raw >= EpochNanosecondsFrom => TimestampUnit.EpochNanoseconds,
        _ when fakeRunnerLine => TimestampUnit.EpochMilliseconds,
        _ => TimestampUnit.BootNanoseconds,
    };

    /// <summary>Converts one recorded value to epoch nanoseconds.</summary>
    public bool TryConvert(long raw, bool fakeRunnerLine, out long timestamp, [NotNullWhen(false)] out string? error)
    {
        var unit = Classify(_options.Timestamps, raw, fakeRunnerLine);
        error = null;
        switch (unit)
        {
            case TimestampUnit.EpochNanoseconds:
                timestamp = raw;
                break;
            case TimestampUnit.EpochMilliseconds:
                if (raw > long.MaxValue / NanosecondsPerMillisecond || raw < long.MinValue / NanosecondsPerMillisecond)
                {
                    timestamp = 0;
                    error = $"timestamp {raw} is out of range as epoch milliseconds";
                    return false;
                }
                timestamp = raw * NanosecondsPerMillisecond;
                break;
            default:
                var offset = _bootOffset ??= ResolveBootOffset(raw);
                timestamp = unchecked(raw + offset);
                if ((raw > 0 && offset > 0 && timestamp < 0) || (raw < 0 && offset < 0 && timestamp >= 0))
                {
                    error = $"timestamp {raw} is out of range as nanoseconds since boot";
                    return false;
                }
                break;
        }
        LogOnce(unit);
        return true;
    }

    private long ResolveBootOffset(long firstBootTimestamp)
    {
        if (_options.BootTime is { } bootTime)
        {
            return ToEpochNanoseconds(bootTime);
        }
        if (_options.IsStandardInput)
        {
            // A pipe has no last-write time: assume the first event just happened.
            return ToEpochNanoseconds(_time.GetUtcNow()) - firstBootTimestamp;
        }
        var lastWrite = ToEpochNanoseconds(File.GetLastWriteTimeUtc(_options.Path));
        var newest = BootTimeEstimator.NewestBootTimestamp(_options.Path, _options.Timestamps);
        return lastWrite - (newest ?? firstBootTimestamp);
    }

    private void LogOnce(TimestampUnit unit)
    {
        if (_logged[(int)unit])
        {
            return;
        }
        _logged[(int)unit] = true;
        var how = _options.Timestamps == ReplayTimestampMode.Auto
            ? "detected"
            : $"--timestamps {_options.Timestamps.ToString().ToLowerInvariant()}";
        switch (unit)
        {
            case TimestampUnit.EpochNanoseconds:
                _logger.LogInformation(
                    "Replay of {File}: timestamps read as Unix epoch nanoseconds and used as they are ({How}; override with --timestamps ns|ms|boot)",
                    _sourceName, how);
                break;
            case TimestampUnit.EpochMilliseconds:
                _logger.LogInformation(
                    "Replay of {File}: timestamps read as Unix epoch milliseconds (the original FakeRunner) and multiplied by 1000000 ({How}; override with --timestamps ns|ms|boot)",
                    _sourceName, how);
                break;
            default:
                var bootTime = DateTimeOffset.UnixEpoch.AddTicks((_bootOffset ?? 0) / 100);
                var basis = _options.BootTime is not null ? "given with --boot-time"
                    : _options.IsStandardInput ? "estimated as now minus the first boot timestamp"
                    : "estimated as the file's last-write time minus its newest boot timestamp";
                _logger.LogInformation(
                    "Replay of {File}: timestamps read as nanoseconds since boot ({How}) and moved to the wall clock with boot time {BootTime:o}, {Basis}; override with --boot-time or --timestamps ns|ms|boot",
                    _sourceName, how, bootTime, basis);
                break;
        }
    }

    internal static long ToEpochNanoseconds(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks * 100;

    internal static long ToEpochNanoseconds(DateTime utc) => (utc - DateTime.UnixEpoch).Ticks * 100;
}
