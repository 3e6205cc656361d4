using AgentSight.Contracts;
using AgentSight.Host.Bpf;
using AgentSight.Host.Runners;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Capture;

/// <summary>
/// Reads a program's per-CPU loss counters, adds what is new to the runner's counters (so they are in the summary and
/// visible to sinks), and warns while losses happen. Every counter exists from the start, at zero, so a sink reading
/// the metrics sees that nothing was lost rather than no counter at all.
/// </summary>
internal sealed class LossReport
{
    private static readonly TimeSpan WarnEvery = TimeSpan.FromSeconds(5);
    private static readonly (LossCounter Index, string Name)[] Names =
    [
        (LossCounter.RingFull, "lost_records"),
        (LossCounter.RingFullBytes, "lost_bytes"),
        (LossCounter.CallMapFull, "call_map_full"),
        (LossCounter.CopyFailed, "copy_failed"),
        (LossCounter.TrackMapFull, "track_map_full"),
    ];

    private readonly BpfMap _stats;
    private readonly string _what;
    private readonly ILogger _log;
    private readonly Counter[] _counters;
    private readonly ulong[] _seen = new ulong[(int)LossCounter.Count];
    private readonly ulong[] _perCpu;
    private ulong _warnedRecords;
    private long _lastWarning;

    public LossReport(BpfObject program, string statsMap, string what, RunnerMetrics? metrics, ILogger log)
    {
        _stats = program.Map(statsMap);
        _what = what;
        _log = log;
        _perCpu = new ulong[Libbpf.NumPossibleCpus()];
        _counters = [.. Names.Select(n => metrics?.Counter(n.Name) ?? new Counter(n.Name))];
    }

    public void Update(bool final = false)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            _stats.LookupPerCpu((uint)Names[i].Index, _perCpu);
            ulong total = 0;
            foreach (var value in _perCpu)
            {
                total += value;
            }
            var index = (int)Names[i].Index;
            if (total > _seen[index])
            {
                _counters[i].Add((long)(total - _seen[index]));
                _seen[index] = total;
            }
        }
        var lost = _seen[(int)LossCounter.RingFull];
        if (lost > _warnedRecords && (final || Environment.TickCount64 - _lastWarning >= (long)WarnEvery.TotalMilliseconds))
        {
            _log.LogWarning("{What}: {Lost} records ({Bytes} bytes) lost so far because the kernel ring buffer was full; "
                + "a larger --ring-mb or a faster pipeline helps", _what, lost, _seen[(int)LossCounter.RingFullBytes]);
            _warnedRecords = lost;
            _lastWarning = Environment.TickCount64;
        }
        var mapFull = _seen[(int)LossCounter.CallMapFull] + _seen[(int)LossCounter.TrackMapFull];
        if (final && mapFull > 0)
        {
            _log.LogWarning("{What}: {Count} calls or processes could not be followed because a kernel map was full", _what, mapFull);
        }
    }
}
