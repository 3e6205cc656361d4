using AgentSight.Host.Bpf;

namespace AgentSight.Host.Capture;

/// <summary>
/// Lets the capture thread sleep while the traced programs do nothing: once the rings have stayed empty for
/// <see cref="QuietFor"/>, each BPF object is told (its <c>reader_asleep</c> flag, bpf/ring.h) that its next record
/// must wake the reader, whatever its size, and the reader waits up to <see cref="LongestNap"/> instead of its 50 ms
/// tick. An agent waiting for its model then costs the capture thread a wake-up every few seconds instead of twenty a
/// second, and a record that comes still reaches the pipeline at once (docs/PERFORMANCE.md, "Stop 33").
/// </summary>
/// <remarks>
/// A program that read the flag just before it was set sends its record without a wake-up: the reader reads the
/// rings once more after setting the flags (<see cref="AfterRead"/> says when), and a record that slips past even that
/// waits at most <see cref="LongestNap"/>.
/// </remarks>
internal sealed class ReaderNap
{
    /// <summary>How long the rings must stay empty before the reader sleeps.</summary>
    public static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(1);

    /// <summary>The longest sleep: what the loop does besides reading (loss counters, the followed tree) waits that long at most.</summary>
    public static readonly TimeSpan LongestNap = TimeSpan.FromSeconds(5);

    private readonly BpfMap[] _flags;
    private long _quietSinceMs;

    /// <param name="flags">Each polled object's <c>reader_asleep</c> map.</param>
    /// <param name="nowMs">Now, on <see cref="Environment.TickCount64"/>'s clock.</param>
    public ReaderNap(IEnumerable<BpfMap> flags, long nowMs)
    {
        _flags = [.. flags];
        _quietSinceMs = nowMs;
    }

    /// <summary>True while the reader sleeps: a record (through the flag), the command's end or a stop wakes it.</summary>
    public bool Asleep { get; private set; }

    /// <summary>
    /// After each read of the rings: records wake the reader; rings empty for <see cref="QuietFor"/> put it to sleep.
    /// </summary>
    /// <returns>True when the reader has just fallen asleep: read the rings once more, and tell this again.</returns>
    public bool AfterRead(int records, long nowMs)
    {
        if (records > 0)
        {
            _quietSinceMs = nowMs;
            Asleep = false;
            return false;
        }
        if (Asleep || _flags.Length == 0 || nowMs - _quietSinceMs < (long)QuietFor.TotalMilliseconds)
        {
            return false;
        }
        foreach (var flag in _flags)
        {
            flag.Update(0u, 1u);
        }
        Asleep = true;
        return true;
    }
}
