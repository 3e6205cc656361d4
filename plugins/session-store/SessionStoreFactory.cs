using System.Runtime.CompilerServices;
using AgentSight.Contracts;

namespace AgentSight.Plugins.SessionStore;

/// <summary>The <c>session-store</c> sink plugin: each session in its own SQLite database, readable while it runs.</summary>
public sealed class SessionStoreFactory : SinkFactory<SessionStoreConfig>
{
    /// <summary>
    /// The session of each stage. The host restarts a failed sink by asking for a fresh instance with the same
    /// context: that one goes on with the session its predecessor was storing (same file, numbering and rows).
    /// </summary>
    private readonly ConditionalWeakTable<IStageContext, StoredSession> _sessions = [];

    /// <inheritdoc />
    public override string Description => "Stores the session in a SQLite database (events, processes, files, HTTP exchanges, LLM calls, counters).";

    /// <inheritdoc />
    protected override ISink Create(SessionStoreConfig config, IStageContext context) =>
        new SessionStoreSink(config, context, TimeProvider.System, _sessions.GetValue(context, _ => new StoredSession(TimeProvider.System)));
}
