using AgentSight.Plugins.Common.Model;
using AgentSight.Plugins.Common.Storage;

namespace AgentSight.Plugins.SessionStore;

/// <summary>
/// One session being stored: its file and everything read from its events so far. It outlives a sink instance:
/// when the host restarts the stage after a failure, the fresh instance gets this (from the factory, by stage) and
/// goes on with the same database, the same numbering, the same process and connection rows and the events the
/// failed instance had not written yet, instead of refusing the file as another session's.
/// </summary>
internal sealed class StoredSession(TimeProvider time)
{
    /// <summary>One lock for every instance that works on this session (a stopped one's timer may still be finishing).</summary>
    public Lock Gate { get; } = new();

    /// <summary>The database file; empty until the first instance created it.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Stored in <c>meta.session_id</c>: a restarted instance reopens only a database that says it is this one.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <summary>True once the database was created: later starts are restarts.</summary>
    public bool Created { get; set; }

    /// <summary>The last event's number (<c>events.seq</c>).</summary>
    public long Seq { get; set; }

    /// <summary>The last counters snapshot's number.</summary>
    public long Snapshot { get; set; }

    public long? FirstNs { get; set; }

    public long? LastNs { get; set; }

    public ProcessTracker Processes { get; } = new();

    public HashSet<ProcessInstance> DirtyProcesses { get; } = [];

    public NetworkTracker Network { get; } = new();

    public HashSet<NetworkConnection> DirtyConnections { get; } = [];

    public RecentExchanges Exchanges { get; } = new();

    /// <summary>Events read and not yet written, oldest first.</summary>
    public List<PendingEvent> Pending { get; } = [];

    /// <summary>About how much memory <see cref="Pending"/> takes (its JSON), for the <c>max_held_mb</c> bound.</summary>
    public long PendingBytes { get; set; }

    /// <summary>When to try writing again after a failed write (a full disk).</summary>
    public RetrySchedule Retry { get; } = new(time);

    /// <summary>What the last failed write said, for the messages that follow.</summary>
    public string LastError { get; set; } = string.Empty;

    /// <summary>Events never stored: dropped past the bound while writing failed, or still unwritten at the end.</summary>
    public long Lost { get; set; }

    /// <summary>True once this failure episode's first drop was logged.</summary>
    public bool DropLogged { get; set; }
}

/// <summary>An event waiting for the next batch, with what was read from it.</summary>
/// <remarks><paramref name="Json"/> is the event's line in UTF-8, without its line feed: stored as it is, never decoded.</remarks>
internal sealed record PendingEvent(long Seq, long Timestamp, string Source, int Pid, int Tid, string Comm, ReadOnlyMemory<byte> Json)
{
    /// <summary>Its line's size in bytes, for <see cref="StoredSession.PendingBytes"/>.</summary>
    public int Size { get; init; }

    public int? ProcessId { get; set; }

    public FileOpen? File { get; set; }

    public HttpExchange? Http { get; set; }

    public LlmCall? Call { get; set; }
}
