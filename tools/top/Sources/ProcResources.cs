using System.Globalization;
using AgentSight.Top.Model;

namespace AgentSight.Top.Sources;

/// <summary>CPU and resident memory of running processes, from <c>/proc/PID/stat</c>, for a recording on this machine.</summary>
/// <remarks>
/// CPU is the process's user and system time since the previous reading, over the wall time between them, in percent
/// of one core (the kernel counts in USER_HZ ticks, 100 a second on Linux). Only pids the recording says still run
/// are read (it sees every exit, so the pid is still theirs); the name is not compared, because a process seen only
/// through its threads' events carries a thread's name (".NET TP Worker"). A pid that has gone shows "-"; one whose
/// start time changed between two readings (reused) starts over. Not thread-safe: one reader at a time.
/// </remarks>
public sealed class ProcResources
{
    private const double TicksPerSecond = 100.0;

    private readonly string _procRoot;
    private readonly long _pageSize = Environment.SystemPageSize;
    private readonly Dictionary<int, (long Ticks, long StartTime, long At)> _previous = [];

    public ProcResources(string procRoot = "/proc")
    {
        _procRoot = procRoot;
    }

    /// <summary>The usage of each running process of <paramref name="processes"/> that could be read.</summary>
    public IReadOnlyDictionary<int, ResourceUsage> Read(IEnumerable<ProcessSample> processes)
    {
        var now = Environment.TickCount64;
        var result = new Dictionary<int, ResourceUsage>();
        var seen = new HashSet<int>();
        foreach (var process in processes.Where(p => !p.Exited))
        {
            if (!seen.Add(process.Pid) || ReadStat(process.Pid) is not { } stat)
            {
                continue;
            }
            double? cpu = null;
            if (_previous.TryGetValue(process.Pid, out var before) && before.StartTime == stat.StartTime && now > before.At)
            {
                cpu = Math.Max(0, (stat.Ticks - before.Ticks) / TicksPerSecond / ((now - before.At) / 1000.0) * 100.0);
            }
            _previous[process.Pid] = (stat.Ticks, stat.StartTime, now);
            result[process.Pid] = new ResourceUsage(cpu, stat.RssPages * _pageSize);
        }
        foreach (var gone in _previous.Keys.Where(pid => !seen.Contains(pid)).ToList())
        {
            _previous.Remove(gone);
        }
        return result;
    }

    private (string Comm, long Ticks, long StartTime, long RssPages)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return Parse(text);
    }

    /// <summary>Parses a <c>/proc/PID/stat</c> line: the name sits in parentheses and may hold spaces and parentheses itself.</summary>
    public static (string Comm, long Ticks, long StartTime, long RssPages)? Parse(string stat)
    {
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }
        // After the name: field 3 (state) is index 0, so field N is index N - 3.
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 22
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var utime)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var stime)
            || !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(fields[21], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var rss))
        {
            return null;
        }
        return (stat[(open + 1)..close], utime + stime, start, Math.Max(0, rss));
    }
}
