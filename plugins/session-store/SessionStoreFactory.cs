using AgentSight.Contracts;

namespace AgentSight.Plugins.SessionStore;

/// <summary>The <c>session-store</c> sink plugin: each session in its own SQLite database, readable while it runs.</summary>
public sealed class SessionStoreFactory : SinkFactory<SessionStoreConfig>
{
    /// <inheritdoc />
    public override string Description => "Stores the session in a SQLite database (events, processes, files, HTTP exchanges, LLM calls, counters).";

    /// <inheritdoc />
    protected override ISink Create(SessionStoreConfig config, IStageContext context) => new SessionStoreSink(config, context, TimeProvider.System);
}
