using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Capture;

/// <summary>
/// While a capture runs, the host's analyzers and sinks give way to the traced programs: every thread of the host but
/// the capture's own (named <c>agentsight-*</c>: reading the rings, probing TLS, releasing held programs) runs at a lower
/// priority, nice 19 unless told otherwise.
/// </summary>
/// <remarks>
/// <para>On two cores a pipeline at the traced program's own priority took the core it was about to run on, and the
/// kernel then ran it on its peer's core, one after the other instead of side by side: on the keep-alive benchmark
/// lowering the pipeline took 7-10 µs off the 30-36 that tracing added to a request (docs/PERFORMANCE.md, "Stop 29").</para>
/// <para>At nice 19 the pipeline still gets a share of a busy machine, but a small one. When the capture has waited
/// for it (the bus is full: what a slow pipeline does to the rings) for <see cref="Patience"/> within
/// <see cref="PatienceWindow"/>, every thread goes back to the host's own priority, and down again only once the
/// capture has not waited for <see cref="CalmFor"/> (twice as long each time it falls behind again). A burst fills the
/// bus for a moment and the kernel rings hold it (the smallest, the process ring's 8 MiB, holds about 40,000 file
/// opens): raising the pipeline at the first full bus put it level with the traced programs for the rest of a short
/// run (docs/PERFORMANCE.md, "Stop 31"). Nice, not <c>SCHED_IDLE</c>: an idle-class thread preempted while it holds a lock, or
/// before a garbage collection can suspend it, could stall the capture thread for seconds on a busy machine.</para>
/// <para>Called on the capture thread (<see cref="Waited"/> may come from any thread that writes to the bus).</para>
/// </remarks>
internal sealed class PipelinePriority
{
    /// <summary>How long the capture must not have waited for the pipeline before it is lowered again, the first time.</summary>
    public static readonly TimeSpan CalmFor = TimeSpan.FromSeconds(5);

    /// <summary>The longest calm spell asked for: it doubles each time the pipeline falls behind again.</summary>
    public static readonly TimeSpan LongestCalm = TimeSpan.FromMinutes(5);

    /// <summary>How long the capture may wait for the pipeline, within <see cref="PatienceWindow"/>, before it is raised.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMilliseconds(200);

    /// <summary>The span over which the capture's waits are added up against <see cref="Patience"/>.</summary>
    public static readonly TimeSpan PatienceWindow = TimeSpan.FromMilliseconds(250);

    /// <summary>How often threads started since are looked for (a thread started by a lowered one is lowered already).</summary>
    private const long ScanEveryMs = 1000;

    /// <summary>Threads of the capture itself, which keep the host's priority: their names start with this.</summary>
    public const string CaptureThreadPrefix = "agentsight-";

    private readonly IThreadNice _threads;
    private readonly int _lowered;
    private readonly int _normal;
    private readonly Func<long> _nowMs;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly HashSet<int> _low = [];
    private bool _active;
    private bool _ended;
    private long _lastWaitMs = long.MinValue / 2;
    private long _windowStartMs = long.MinValue / 2;
    private double _waitedInWindowMs;
    private long _nextScanMs;

    /// <param name="nice">The pipeline's nice while the capture runs; at or below the host's own, nothing changes.</param>
    public PipelinePriority(int nice, ILogger log, IThreadNice? threads = null, Func<long>? nowMs = null)
    {
        _threads = threads ?? ProcThreadNice.Instance;
        _log = log;
        _nowMs = nowMs ?? (() => Environment.TickCount64);
        _normal = _threads.ProcessNice();
        _lowered = nice;
        Enabled = nice > _normal && _threads.CanRaise;
    }

    /// <summary>False when the pipeline keeps the host's priority (asked for, or it could not be raised back).</summary>
    public bool Enabled { get; }

    /// <summary>How many times the pipeline was raised back because the capture had to wait for it.</summary>
    public int TimesRaised { get; private set; }

    /// <summary>Whether the pipeline runs at the lower priority now.</summary>
    public bool IsLowered
    {
        get
        {
            lock (_gate)
            {
                return _active;
            }
        }
    }

    /// <summary>Lowers every thread but the capture's, once the traced command runs.</summary>
    public void Lower()
    {
        lock (_gate)
        {
            if (!Enabled || _ended || _active)
            {
                return;
            }
            _active = true;
            LowerNewThreads();
        }
    }

    /// <summary>
    /// The capture has waited <paramref name="waited"/> for the pipeline (told as it goes, a slice at a time, while a
    /// wait lasts): the pipeline gets the host's priority back once the waits add up to <see cref="Patience"/> within
    /// <see cref="PatienceWindow"/>.
    /// </summary>
    public void Waited(TimeSpan waited)
    {
        lock (_gate)
        {
            var now = _nowMs();
            _lastWaitMs = now;
            if (now - _windowStartMs > PatienceWindow.TotalMilliseconds)
            {
                _windowStartMs = now - (long)waited.TotalMilliseconds;
                _waitedInWindowMs = 0;
            }
            _waitedInWindowMs += waited.TotalMilliseconds;
            if (!_active || _waitedInWindowMs < Patience.TotalMilliseconds)
            {
                return;
            }
            _waitedInWindowMs = 0;
            RaiseAll();
            TimesRaised++;
            if (TimesRaised == 1)
            {
                _log.LogInformation("The pipeline fell behind the capture: its threads run at the host's priority again until it has kept up for {Seconds} s (nice {Nice} otherwise)",
                    CalmSpellMs() / 1000, _lowered);
            }
            else
            {
                _log.LogDebug("The pipeline fell behind the capture again ({Times} times); its threads run at the host's priority for at least {Seconds} s",
                    TimesRaised, CalmSpellMs() / 1000);
            }
        }
    }

    /// <summary>Each pass of the capture loop: lowers threads started since, or lowers again after a calm spell.</summary>
    public void Tick()
    {
        lock (_gate)
        {
            if (!Enabled || _ended)
            {
                return;
            }
            var now = _nowMs();
            if (!_active)
            {
                if (TimesRaised > 0 && now - _lastWaitMs >= CalmSpellMs())
                {
                    _active = true;
                    LowerNewThreads();
                }
                return;
            }
            if (now >= _nextScanMs)
            {
                LowerNewThreads();
            }
        }
    }

    /// <summary>The capture has ended: the host's priority back for the pipeline's last events and the summary.</summary>
    public void Restore()
    {
        lock (_gate)
        {
            _ended = true;
            if (_active)
            {
                RaiseAll();
            }
        }
    }

    /// <summary>
    /// A machine too busy for the lowered pipeline stays too busy: each time it falls behind again, the pipeline keeps the
    /// host's priority twice as long (5 s, 10 s, 20 s… up to 5 minutes) rather than falling behind every few seconds.
    /// </summary>
    private long CalmSpellMs() =>
        (long)Math.Min(CalmFor.TotalMilliseconds * Math.Pow(2, Math.Min(TimesRaised - 1, 16)), LongestCalm.TotalMilliseconds);

    private void LowerNewThreads()
    {
        _nextScanMs = _nowMs() + ScanEveryMs;
        foreach (var (tid, name) in _threads.Threads())
        {
            if (!name.StartsWith(CaptureThreadPrefix, StringComparison.Ordinal) && !_low.Contains(tid) && _threads.TrySet(tid, _lowered))
            {
                _low.Add(tid);
            }
        }
    }

    private void RaiseAll()
    {
        _active = false;
        // Only threads still ours: the id of one that has ended could name another process's thread one day.
        foreach (var (tid, _) in _threads.Threads())
        {
            if (_low.Contains(tid))
            {
                _threads.TrySet(tid, _normal);
            }
        }
        _low.Clear();
    }
}
