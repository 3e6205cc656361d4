using System.Runtime.CompilerServices;
using AgentSight.Contracts;

namespace AgentSight.Plugins.SessionStore;

/// <summary>
/// The <c>session-store</c> sink plugin: each session in its own SQLite database, readable while it runs; and the
/// reader of those databases for <c>serve</c> and <c>report</c> (<see cref="ISessionReader"/>): the plugin that
/// writes the schema is the only one that reads it.
/// </summary>
public sealed class SessionStoreFactory : SinkFactory<SessionStoreConfig>, ISessionReader, IOutputPreflight
{
    /// <summary>
    /// The session of each stage. The host restarts a failed sink by asking for a fresh instance with the same
    /// context: that one goes on with the session its predecessor was storing (same file, numbering and rows).
    /// </summary>
    private readonly ConditionalWeakTable<IStageContext, StoredSession> _sessions = [];

    /// <inheritdoc />
    public override string Description => "Stores the session in a SQLite database (events, processes, files, HTTP exchanges, LLM calls, counters).";

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Roles { get; } = [StageRoles.SessionStore];

    /// <inheritdoc />
    public bool Recognizes(ReadOnlySpan<byte> header) => SessionDatabaseCheck.IsSqlite(header);

    /// <inheritdoc />
    public SessionProblem? Check(string path) => SessionDatabaseCheck.Check(path);

    /// <inheritdoc />
    public IAsyncEnumerable<AgentEvent> ReadAsync(string path, ISessionReadContext context, CancellationToken cancellationToken) =>
        new StoredSessionReader(path, context).ReadAsync(cancellationToken);

    /// <inheritdoc />
    public OutputCheck? CheckOutput(PluginConfig config)
    {
        var store = (SessionStoreConfig)config;
        var path = store.ResolvePath(DateTimeOffset.Now);
        var exists = File.Exists(path) && new FileInfo(path).Length > 0;
        // One file holds one session: a new run is never added to it, only stored instead of it when told to.
        return store.Overwrite
            ? new OutputCheck(path, exists, ExistingOutput.Replace)
            : new OutputCheck(path, exists, ExistingOutput.Refuse, "overwrite=true");
    }

    /// <inheritdoc />
    protected override ISink Create(SessionStoreConfig config, IStageContext context) =>
        new SessionStoreSink(config, context, TimeProvider.System, _sessions.GetValue(context, _ => new StoredSession(TimeProvider.System)));
}
