namespace AgentSight.Host.Capture;

/// <summary>The processes running now, from <c>/proc</c>: for following existing processes and their descendants.</summary>
internal static class ProcessTable
{
    /// <summary>Every process that can be read (one that ends meanwhile is left out).</summary>
    public static List<ProcessEntry> Snapshot()
    {
        var entries = new List<ProcessEntry>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), out var pid) && Read(pid) is { } entry)
            {
                entries.Add(entry);
            }
        }
        return entries;
    }

    public static ProcessEntry? Read(int pid)
    {
        try
        {
            return Parse(pid, File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static bool Exists(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary>Parses <c>/proc/PID/stat</c>: "pid (comm) state ppid …", where comm may hold spaces and parentheses.</summary>
    internal static ProcessEntry? Parse(int pid, string stat)
    {
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }
        var rest = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return rest.Length >= 2 && int.TryParse(rest[1], out var ppid) ? new ProcessEntry(pid, ppid, stat[(open + 1)..close]) : null;
    }

    /// <summary>The roots and every process below them.</summary>
    public static HashSet<int> WithDescendants(IEnumerable<int> roots, IReadOnlyList<ProcessEntry> table)
    {
        var children = table.ToLookup(e => e.Ppid, e => e.Pid);
        var result = new HashSet<int>();
        var pending = new Queue<int>(roots);
        while (pending.TryDequeue(out var pid))
        {
            if (result.Add(pid))
            {
                foreach (var child in children[pid])
                {
                    pending.Enqueue(child);
                }
            }
        }
        return result;
    }
}

/// <summary>One process: its id, its parent's, and its name.</summary>
internal sealed record ProcessEntry(int Pid, int Ppid, string Comm);
