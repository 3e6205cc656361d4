using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using Microsoft.Win32.SafeHandles;

namespace AgentSight.Host.Capture;

/// <summary>
/// Samples the CPU time and resident memory of the traced processes, from <c>/proc/PID/stat</c> (one read of one
/// small file per process and sample, into a buffer kept for the session), and emits one <c>resource</c> event per
/// process and sample (docs/EVENTS.md). Runs on the capture's polling thread, so it stops with the capture.
/// </summary>
/// <remarks>
/// A process that ends between two samples is simply not sampled again: its file is gone (or it is a zombie, whose
/// figures are zero), which is no error. CPU percent is the process's user and system time over the wall time since
/// its previous sample, or since it started for its first one: 100 is one core busy, a multi-threaded process can pass it.
/// </remarks>
internal sealed class ResourceSampler
{
    /// <summary>The sampling interval when none is given (<c>--resource-interval</c>).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    private readonly long _intervalMs;
    private readonly BootClock _clock;
    private readonly Action<AgentEvent> _emit;
    private readonly Dictionary<int, ProcessState> _states = [];
    private readonly byte[] _buffer = new byte[1024];
    private readonly long _ticksPerSecond;
    private readonly long _pageSize = Environment.SystemPageSize;
    private long _nextDue;
    private int _round;

    public ResourceSampler(TimeSpan interval, BootClock clock, Action<AgentEvent> emit)
    {
        _intervalMs = Math.Max(1, (long)interval.TotalMilliseconds);
        _clock = clock;
        _emit = emit;
        var ticks = Posix.SysConf(Posix.ScClkTck);
        _ticksPerSecond = ticks > 0 ? ticks : 100;
    }

    /// <summary>Milliseconds until the next round is due; zero when it is due, or before the first call of <see cref="SampleIfDue"/>.</summary>
    public long MillisecondsUntilDue => _nextDue == 0 ? 0 : Math.Max(0, _nextDue - Environment.TickCount64);

    /// <summary>Samples every given process when the interval has passed since the last round; does nothing otherwise.</summary>
    /// <param name="pids">The processes traced now; called only when a round is due, so it may cost a map walk.</param>
    public void SampleIfDue(Func<IEnumerable<int>> pids)
    {
        var now = Environment.TickCount64;
        if (_nextDue == 0)
        {
            // The first round one interval after the start: at the start a recorded command is still the shim that
            // waits to exec it, whose figures say nothing.
            _nextDue = now + _intervalMs;
            return;
        }
        if (now < _nextDue)
        {
            return;
        }
        // From the due time, not from now: a slow pass does not shift every later sample.
        _nextDue = now - _nextDue > _intervalMs ? now + _intervalMs : _nextDue + _intervalMs;
        SampleNow(pids());
    }

    /// <summary>One round: a sample of each process that can still be read; state of processes no longer given is dropped.</summary>
    public void SampleNow(IEnumerable<int> pids)
    {
        _round++;
        var bootNs = Posix.Now(Posix.ClockBoottime);
        foreach (var pid in pids)
        {
            if (Sample(pid, bootNs) is { } evt)
            {
                _emit(evt);
            }
        }
        foreach (var (pid, state) in _states)
        {
            if (state.Round != _round)
            {
                // Removing the current entry while enumerating is allowed for Dictionary.
                _states.Remove(pid);
            }
        }
    }

    /// <summary>Forgets a process that exited (its pid may come back as another process).</summary>
    public void Forget(int pid) => _states.Remove(pid);

    private AgentEvent? Sample(int pid, long bootNs)
    {
        if (!_states.TryGetValue(pid, out var state))
        {
            state = new ProcessState($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            _states.Add(pid, state);
        }
        state.Round = _round;
        int length;
        try
        {
            using SafeFileHandle handle = File.OpenHandle(state.Path, FileMode.Open, FileAccess.Read);
            length = RandomAccess.Read(handle, _buffer, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone between the list and the read (FileNotFound, or ESRCH on the read): no sample, and no error.
            return null;
        }
        if (!ProcStat.TryParse(_buffer.AsSpan(0, length), out var stat) || stat.State == (byte)'Z')
        {
            return null;
        }
        if (stat.StartTicks != state.StartTicks)
        {
            // A new process under this pid (or the first sample): measure from its start.
            state.StartTicks = stat.StartTicks;
            state.CpuTicks = 0;
            state.AtBootNs = stat.StartTicks * 1_000_000_000 / _ticksPerSecond;
        }
        var cpuTicks = stat.UserTicks + stat.SystemTicks;
        var wallNs = bootNs - state.AtBootNs;
        double? percent = wallNs > 0
            ? Math.Round((cpuTicks - state.CpuTicks) * 1e9 / _ticksPerSecond / wallNs * 100, 1)
            : null;
        state.CpuTicks = cpuTicks;
        state.AtBootNs = bootNs;
        var fields = new JsonObject
        {
            ["cpu_user_ms"] = stat.UserTicks * 1000 / _ticksPerSecond,
            ["cpu_system_ms"] = stat.SystemTicks * 1000 / _ticksPerSecond,
            ["cpu_percent"] = percent,
            ["interval_ms"] = Math.Round(wallNs / 1e6, 1),
            ["rss_bytes"] = stat.RssPages * _pageSize,
            ["threads"] = stat.Threads,
        };
        var comm = state.Comm is { } known && stat.Comm.SequenceEqual(state.CommBytes) ? known : state.Remember(stat.Comm);
        return new AgentEvent(_clock.ToEpoch((ulong)bootNs), Source, pid, 0, comm, new JsonPayload(fields));
    }

    /// <summary>The source of the events (the web UI reads them as <c>ResourceSample</c>).</summary>
    public const string Source = "resource";

    /// <summary>What the sampler remembers of one process between rounds.</summary>
    private sealed class ProcessState(string path)
    {
        public string Path { get; } = path;

        public int Round { get; set; }

        public long StartTicks { get; set; } = -1;

        public long CpuTicks { get; set; }

        public long AtBootNs { get; set; }

        public string? Comm { get; private set; }

        public byte[] CommBytes { get; private set; } = [];

        public string Remember(ReadOnlySpan<byte> comm)
        {
            CommBytes = comm.ToArray();
            Comm = Encoding.UTF8.GetString(comm);
            return Comm;
        }
    }
}
