namespace AgentSight.Host.Sessions;

/// <summary>What a session file is.</summary>
internal enum SessionFileKind
{
    /// <summary>NDJSON events: ours or the original tool's (what <c>replay</c> reads).</summary>
    Ndjson,

    /// <summary>A SQLite database written by the <c>session-store</c> plugin.</summary>
    SessionDatabase,
}
