using System.Globalization;

namespace AgentSight.Top.Model;

/// <summary>A column of the table: its header, width, how it sorts and prints, and how readily it is left out.</summary>
/// <param name="Name">The name the status line and <c>--sort</c> use (lower case).</param>
/// <param name="Header">The header cell.</param>
/// <param name="Width">Characters wide (the command column: at least this, and what is left).</param>
/// <param name="RightAligned">Numbers are right-aligned.</param>
/// <param name="DropOrder">On a narrow terminal, columns go from the highest number down; 0 is never left out.</param>
/// <param name="Value">The sort key.</param>
/// <param name="Format">The cell.</param>
/// <param name="DescendingFirst">Sorting by it starts with the largest (numbers), or with the smallest (names, pids).</param>
/// <param name="Groupings">The views it appears in.</param>
public sealed record TopColumn(
    string Name,
    string Header,
    int Width,
    bool RightAligned,
    int DropOrder,
    Func<TopRow, IComparable?> Value,
    Func<TopRow, string> Format,
    bool DescendingFirst = true,
    TopGrouping[]? Groupings = null)
{
    /// <summary>The command line: takes the width the others leave; the first to go on a narrow terminal.</summary>
    public bool Flexible => Name == "command";

    public bool AppliesTo(TopGrouping grouping) => Groupings is null || Groupings.Contains(grouping);

    public static readonly TopColumn Pid = new("pid", "PID", 7, true, 0, r => r.Pid, r => Number(r.Pid), DescendingFirst: false);
    public static readonly TopColumn ProgramName = new("name", "NAME", 12, false, 0, r => r.Name, r => r.Name, DescendingFirst: false);
    public static readonly TopColumn State = new("state", "ST", 4, false, 6, r => r.State, r => r.State, DescendingFirst: false, Groupings: [TopGrouping.Processes]);
    public static readonly TopColumn Procs = new("procs", "PROCS", 5, true, 6, r => r.Processes, r => Number(r.Processes), Groupings: [TopGrouping.Agents]);
    public static readonly TopColumn Calls = new("calls", "CALLS", 5, true, 1, r => r.Calls, r => Number(r.Calls));
    public static readonly TopColumn Tokens = new("tokens", "TOKENS", 7, true, 1, r => r.Tokens, r => Compact(r.Tokens));
    public static readonly TopColumn Cpu = new("cpu", "CPU%", 5, true, 2, r => r.CpuPercent, r => r.CpuPercent is { } c ? c.ToString(c >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture) : "-");
    public static readonly TopColumn Rss = new("rss", "RSS", 5, true, 2, r => r.RssBytes, r => r.RssBytes is { } b ? Bytes(b) : "-");
    public static readonly TopColumn Execs = new("execs", "EXEC", 4, true, 3, r => r.Execs, r => Number(r.Execs));
    public static readonly TopColumn Files = new("files", "FILES", 5, true, 3, r => r.FilesWritten, r => Number(r.FilesWritten));
    public static readonly TopColumn Peers = new("peers", "PEERS", 5, true, 3, r => r.Peers, r => Number(r.Peers));
    public static readonly TopColumn Failures = new("fail", "FAIL", 4, true, 2, r => r.Failures, r => Number(r.Failures));
    public static readonly TopColumn Lost = new("lost", "LOST", 4, true, 4, r => r.Lost, r => Number(r.Lost));
    public static readonly TopColumn Command = new("command", "COMMAND", 10, false, 9, r => r.CommandLine, r => r.CommandLine, DescendingFirst: false);

    /// <summary>Every column, in display order.</summary>
    public static readonly IReadOnlyList<TopColumn> All = [Pid, ProgramName, State, Procs, Calls, Tokens, Cpu, Rss, Execs, Files, Peers, Failures, Lost, Command];

    /// <summary>The column named <paramref name="name"/> (as the status line writes it), or null.</summary>
    public static TopColumn? Named(string name) => All.FirstOrDefault(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>A count, shortened past 99,999 (123k, 4.5M) so that it fits a narrow column.</summary>
    public static string Number(long value) => value < 100_000 ? value.ToString(CultureInfo.InvariantCulture) : Compact(value);

    /// <summary>1234 → 1.2k, 1234567 → 1.2M.</summary>
    public static string Compact(long value) => value switch
    {
        < 1_000 => value.ToString(CultureInfo.InvariantCulture),
        < 10_000 => (value / 1_000.0).ToString("0.0", CultureInfo.InvariantCulture) + "k",
        < 1_000_000 => (value / 1_000).ToString(CultureInfo.InvariantCulture) + "k",
        < 10_000_000 => (value / 1_000_000.0).ToString("0.0", CultureInfo.InvariantCulture) + "M",
        < 1_000_000_000 => (value / 1_000_000).ToString(CultureInfo.InvariantCulture) + "M",
        _ => (value / 1_000_000_000.0).ToString("0.0", CultureInfo.InvariantCulture) + "G",
    };

    /// <summary>Binary sizes in at most five characters: 812K, 34M, 1.2G.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => bytes.ToString(CultureInfo.InvariantCulture) + "B",
        < 1024 * 1024 => (bytes / 1024).ToString(CultureInfo.InvariantCulture) + "K",
        < 1024L * 1024 * 1024 => (bytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + "M",
        _ => (bytes / (1024.0 * 1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + "G",
    };
}
