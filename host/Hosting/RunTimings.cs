using System.Globalization;
using System.Text;
using AgentSight.Host.Capture;

namespace AgentSight.Host.Hosting;

/// <summary>
/// Where a run's wall time goes, phase by phase (<c>--timings</c>): marks taken as the run passes each step, printed
/// at the end as offsets from the process's start. Marking is always on (a clock read and a list append, a handful
/// per run); only printing is asked for.
/// </summary>
/// <remarks>
/// The process's start is the kernel's (<c>/proc/self/stat</c>, in clock ticks of 10 ms), so the first line includes
/// the launcher script and the runtime's own start; the launcher exports the moment it hands over
/// (<c>AGENTSIGHT_EXEC_AT</c>, bash's <c>$EPOCHREALTIME</c>) to split the two.
/// </remarks>
internal static class RunTimings
{
    private static readonly List<(string Phase, long BootNs)> Marks = [];
    private static long? _handOver;

    /// <summary>
    /// The first thing Main does: marks its entry and takes the launcher's hand-over time out of the environment, so
    /// that a recorded command (or an agentsight it runs) does not inherit it.
    /// </summary>
    public static void Begin()
    {
        Mark("Main entered (runtime started, host assembly loaded)");
        const string variable = "AGENTSIGHT_EXEC_AT";
        if (double.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            var realToBoot = Posix.Now(Posix.ClockRealtime) - Posix.Now(Posix.ClockBoottime);
            _handOver = (long)(seconds * 1e9) - realToBoot;
        }
        Environment.SetEnvironmentVariable(variable, null);
    }

    /// <summary>Notes that the run has reached <paramref name="phase"/> (any thread).</summary>
    public static void Mark(string phase)
    {
        var now = Posix.Now(Posix.ClockBoottime);
        lock (Marks)
        {
            Marks.Add((phase, now));
        }
    }

    /// <summary>The marks as a table: each phase's end since the process started, and how long it took.</summary>
    public static string Format()
    {
        List<(string Phase, long BootNs)> marks;
        lock (Marks)
        {
            marks = [.. Marks];
        }
        marks.Sort((a, b) => a.BootNs.CompareTo(b.BootNs));
        var start = ProcessStartBootNs();
        var rows = new List<(string Phase, long BootNs)>();
        if (start is { } processStart)
        {
            rows.Add(("process started (launcher script, kernel clock ticks of 10 ms)", processStart));
        }
        if (_handOver is { } handOver && (start is null || handOver >= start - 10_000_000))
        {
            rows.Add(("launcher hands over to dotnet", handOver));
        }
        rows.AddRange(marks);
        var origin = start ?? (marks.Count > 0 ? marks[0].BootNs : 0);
        var text = new StringBuilder("Timings (ms since the process started; the time each phase took):\n");
        var previous = origin;
        foreach (var (phase, at) in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {(at - origin) / 1e6,8:0.0}  {(at - previous) / 1e6,+7:+0.0;-0.0}  {phase}\n");
            previous = at;
        }
        // Start-up is CPU-bound on two cores: the methods compiled at run time (not found precompiled in ReadyToRun
        // code) and the process's CPU say where to look next.
        var cpu = Environment.CpuUsage;
        text.Append(CultureInfo.InvariantCulture,
            $"  CPU so far: {cpu.UserTime.TotalMilliseconds:0} ms user, {cpu.PrivilegedTime.TotalMilliseconds:0} ms system; " +
            $"{System.Runtime.JitInfo.GetCompiledMethodCount()} methods compiled at run time " +
            $"({System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0} ms); " +
            $"{GC.GetTotalAllocatedBytes() / (1024.0 * 1024):0.0} MiB allocated, {GC.CollectionCount(0)} collections\n");
        return text.ToString();
    }

    private static long? ProcessStartBootNs()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            // The command name is in parentheses and may hold spaces: fields are counted after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Field 22 of the file, the 20th after the name: start time in clock ticks since boot (USER_HZ, 100 on Linux).
            return long.Parse(fields[19], CultureInfo.InvariantCulture) * 10_000_000;
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
