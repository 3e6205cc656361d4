namespace AgentSight.Plugins.Web.Session;

/// <summary>What the event log asks for; every part is optional and they combine with AND.</summary>
internal sealed class EventFilter
{
    /// <summary>Sources to keep (empty: all).</summary>
    public HashSet<string> Sources { get; } = new(StringComparer.Ordinal);

    public int? Pid { get; init; }

    /// <summary>A process instance id.</summary>
    public int? ProcessId { get; init; }

    /// <summary>Exact process name, case-insensitive.</summary>
    public string? Comm { get; init; }

    /// <summary>Text the event's JSON must contain, case-insensitive for ASCII letters.</summary>
    public TextMatcher? Text { get; init; }

    /// <summary>Inclusive lower bound of the timestamp (epoch ns).</summary>
    public long? From { get; init; }

    /// <summary>Inclusive upper bound of the timestamp (epoch ns).</summary>
    public long? To { get; init; }

    public bool Matches(EventRecord record) =>
        (Sources.Count == 0 || Sources.Contains(record.Source))
        && (Pid is not { } pid || record.Pid == pid)
        && (ProcessId is not { } process || record.ProcessId == process)
        && (Comm is not { } comm || string.Equals(record.Comm, comm, StringComparison.OrdinalIgnoreCase))
        && (From is not { } from || record.Timestamp >= from)
        && (To is not { } to || record.Timestamp <= to)
        && (Text is not { } text || text.IsIn(record.Json));
}
