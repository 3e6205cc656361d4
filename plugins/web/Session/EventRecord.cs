namespace AgentSight.Plugins.Web.Session;

/// <summary>One event as the index keeps it: the envelope, a one-line summary and the full NDJSON line.</summary>
internal sealed class EventRecord
{
    /// <summary>Position in the session, from 1, in arrival order.</summary>
    public required long Seq { get; init; }

    public required long Timestamp { get; init; }

    public required string Source { get; init; }

    public required int Pid { get; init; }

    public required int Tid { get; init; }

    public required string Comm { get; init; }

    /// <summary>The process instance (<see cref="Model.ProcessInstance.Id"/>), 0 for none.</summary>
    public int ProcessId { get; init; }

    public required string Summary { get; init; }

    /// <summary>The event as one NDJSON line (UTF-8, no line feed): what the detail view shows and search reads.</summary>
    public required byte[] Json { get; init; }

    /// <summary>Wall clock (Unix ms) when the sink received it: lets the UI show how fresh live data is.</summary>
    public required long ReceivedAtMs { get; init; }
}
