using AgentSight.Contracts;
using AgentSight.Host.Bpf;
using AgentSight.Host.Runners;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Capture;

/// <summary>
/// Reads io.bpf.c's per-CPU counters (<c>enum as_io_stat</c>) into the <c>socket</c> and <c>stdio</c> runners' counters,
/// so that the end-of-run summary shows what was left out and why: the ring was full, a call passed the cap, a process
/// passed its stdio limit, a stream did not look like JSON-RPC, a socket carried TLS (the TLS probes' part).
/// </summary>
internal sealed class IoStats
{
    private static readonly (int Index, bool Stdio, string Name)[] Names =
    [
        (0, false, "lost_records"),
        (1, false, "lost_bytes"),
        (2, false, "call_map_full"),
        (3, false, "copy_failed"),
        (4, false, "truncated_bytes"),
        (5, true, "truncated_bytes"),
        (6, true, "limit_bytes"),
        (7, true, "filtered_bytes"),
        (8, false, "tls_calls_left_to_tls"),
        (9, false, "calls"),
        (10, true, "calls"),
    ];

    private const int Count = 11;

    private readonly BpfMap _stats;
    private readonly ILogger _log;
    private readonly Counter[] _counters;
    private readonly ulong[] _seen = new ulong[Count];
    private readonly ulong[] _perCpu;
    private ulong _warnedRecords;

    public IoStats(BpfObject program, RunnerMetrics? socketMetrics, RunnerMetrics? stdioMetrics, ILogger log)
    {
        _stats = program.Map("io_stats");
        _log = log;
        _perCpu = new ulong[Libbpf.NumPossibleCpus()];
        // Losses of the shared ring are the socket runner's when there is one, else the stdio runner's.
        _counters = [.. Names.Select(n =>
        {
            var metrics = n.Stdio ? stdioMetrics ?? socketMetrics : socketMetrics ?? stdioMetrics;
            return metrics?.Counter(n.Name) ?? new Counter(n.Name);
        })];
    }

    /// <summary>Totals so far, by index of <c>enum as_io_stat</c> (tests, benchmarks).</summary>
    public ulong this[int index] => _seen[index];

    public void Update(bool final = false)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            var index = Names[i].Index;
            _stats.LookupPerCpu((uint)index, _perCpu);
            ulong total = 0;
            foreach (var value in _perCpu)
            {
                total += value;
            }
            if (total > _seen[index])
            {
                _counters[i].Add((long)(total - _seen[index]));
                _seen[index] = total;
            }
        }
        if (_seen[0] > _warnedRecords)
        {
            _log.LogWarning("sockets and stdio: {Lost} records ({Bytes} bytes) lost so far because the kernel ring buffer was full; "
                + "a larger --ring-mb or a faster pipeline helps", _seen[0], _seen[1]);
            _warnedRecords = _seen[0];
        }
        if (final && _seen[6] > 0)
        {
            _log.LogInformation("stdio: {Bytes} bytes past a process's --stdio-limit were not captured (counted in the stdio runner's limit_bytes)", _seen[6]);
        }
    }
}
