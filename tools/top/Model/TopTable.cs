using System.Globalization;

namespace AgentSight.Top.Model;

/// <summary>Turns a snapshot into the table's rows: one per process or per agent, filtered, sorted.</summary>
public static class TopTable
{
    /// <summary>The rows for <paramref name="view"/>: grouped, filtered by its text, without exited ones when it hides them, sorted.</summary>
    public static IReadOnlyList<TopRow> Rows(SessionSnapshot snapshot, TopViewState view)
    {
        var rows = view.Grouping == TopGrouping.Agents ? Agents(snapshot) : Processes(snapshot);
        var filtered = rows.Where(r => Matches(r, view.Filter) && (view.ShowExited || r.State == RunningState));
        return Sort(filtered, view.SortColumn, view.Descending);
    }

    /// <summary>What the state column says of a process still running.</summary>
    public const string RunningState = "run";

    /// <summary>One row per process.</summary>
    public static List<TopRow> Processes(SessionSnapshot snapshot) =>
        [.. snapshot.Processes.Select(p =>
        {
            var usage = Usage(snapshot, p);
            return new TopRow(p.Id, p.Pid, p.Comm, p.CommandLine, StateOf(p), 1, p.Calls, p.InputTokens + p.OutputTokens,
                usage?.CpuPercent, usage?.RssBytes, p.Children, p.FilesWritten, p.Hosts.Count, p.Failures, p.UnseenTls, SearchTextOf([p]));
        })];

    /// <summary>
    /// One row per agent: each process whose parent the recording did not see (the command <c>record</c> started, a
    /// followed process, or any root of a machine-wide capture), with every descendant summed. CPU and RSS add up the
    /// descendants still running; peers are the distinct hosts of them all.
    /// </summary>
    public static List<TopRow> Agents(SessionSnapshot snapshot)
    {
        var byId = snapshot.Processes.ToDictionary(p => p.Id);
        var members = new Dictionary<int, List<ProcessSample>>();
        foreach (var process in snapshot.Processes)
        {
            var root = RootOf(process, byId);
            if (!members.TryGetValue(root.Id, out var list))
            {
                members[root.Id] = list = [];
            }
            list.Add(process);
        }
        var rows = new List<TopRow>(members.Count);
        foreach (var (rootId, group) in members)
        {
            var root = byId[rootId];
            double? cpu = null;
            long? rss = null;
            foreach (var member in group)
            {
                if (Usage(snapshot, member) is { } usage)
                {
                    cpu = (cpu ?? 0) + (usage.CpuPercent ?? 0);
                    rss = (rss ?? 0) + usage.RssBytes;
                }
            }
            var running = group.Any(p => !p.Exited);
            var state = running ? RunningState : StateOf(root);
            rows.Add(new TopRow(root.Id, root.Pid, root.Comm, root.CommandLine, state, group.Count, group.Sum(p => p.Calls),
                group.Sum(p => p.InputTokens + p.OutputTokens), cpu, rss, group.Count - 1, group.Sum(p => p.FilesWritten),
                group.SelectMany(p => p.Hosts).Distinct(StringComparer.OrdinalIgnoreCase).Count(), group.Sum(p => p.Failures),
                group.Sum(p => p.UnseenTls), SearchTextOf(group)));
        }
        return rows;
    }

    /// <summary>The rows in the order of <paramref name="column"/>, then by pid, then by key (a stable order for equal values).</summary>
    public static IReadOnlyList<TopRow> Sort(IEnumerable<TopRow> rows, TopColumn column, bool descending)
    {
        // Unknown values (CPU of an exited process) go last whichever the direction.
        var known = rows.Where(r => column.Value(r) is not null);
        var unknown = rows.Where(r => column.Value(r) is null).OrderBy(r => r.Pid).ThenBy(r => r.Key);
        var ordered = descending
            ? known.OrderByDescending(column.Value, ValueComparer.Instance)
            : known.OrderBy(column.Value, ValueComparer.Instance);
        return [.. ordered.ThenBy(r => r.Pid).ThenBy(r => r.Key), .. unknown];
    }

    /// <summary>Case-insensitive: the text is in the pid, a name or a command line of the row.</summary>
    public static bool Matches(TopRow row, string? filter) =>
        string.IsNullOrEmpty(filter) || row.SearchText.Contains(filter.ToLowerInvariant(), StringComparison.Ordinal);

    /// <summary>run; the exit code (0, 1, …); or sigN when a signal ended it.</summary>
    public static string StateOf(ProcessSample p) => !p.Exited ? RunningState
        : p.Signal is { } signal and not 0 ? "sig" + signal.ToString(CultureInfo.InvariantCulture)
        : p.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "end";

    private static ResourceUsage? Usage(SessionSnapshot snapshot, ProcessSample p) =>
        !p.Exited && snapshot.Resources is { } resources && resources.TryGetValue(p.Pid, out var usage) ? usage : null;

    private static ProcessSample RootOf(ProcessSample process, Dictionary<int, ProcessSample> byId)
    {
        var current = process;
        // Bounded: a parent link never points forward in a well-formed session, but a loop must not hang the view.
        for (var steps = 0; steps < byId.Count && current.ParentId is { } parentId && byId.TryGetValue(parentId, out var parent); steps++)
        {
            current = parent;
        }
        return current;
    }

    private static string SearchTextOf(IEnumerable<ProcessSample> processes) =>
        string.Join('\n', processes.Select(p => $"{p.Pid.ToString(CultureInfo.InvariantCulture)} {p.Comm} {p.CommandLine}")).ToLowerInvariant();

    /// <summary>Compares numbers as numbers and text ordinally, ignoring case.</summary>
    private sealed class ValueComparer : IComparer<IComparable?>
    {
        public static readonly ValueComparer Instance = new();

        public int Compare(IComparable? x, IComparable? y) => (x, y) switch
        {
            (null, null) => 0,
            (null, _) => -1,
            (_, null) => 1,
            (string a, string b) => StringComparer.OrdinalIgnoreCase.Compare(a, b),
            _ => Convert.ToDouble(x, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(y, CultureInfo.InvariantCulture)),
        };
    }
}
