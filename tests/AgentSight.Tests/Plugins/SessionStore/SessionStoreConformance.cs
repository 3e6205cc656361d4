using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Tests.Support;
using Microsoft.Data.Sqlite;
using AgentSight.Plugins.SessionStore;

namespace AgentSight.Tests.Conformance;

public sealed class SessionStoreConformance : SinkConformance<SessionStoreFactory>
{
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Reaching("sinks");

    /// <summary>Batches written every 50 ms: the store writes on its timer, not at every flush (docs/SESSION-STORE.md).</summary>
    protected override PluginConfig ConfigIn(string folder) => new SessionStoreConfig { Path = Path.Combine(folder, "session.db"), FlushIntervalMs = 50 };

    /// <summary>A transaction per flush would be one per event in a live session: the timer bounds the wait instead.</summary>
    protected override TimeSpan OutputLag => TimeSpan.FromSeconds(2);

    /// <summary>The rows of the events table, read as <c>serve</c> and <c>report</c> read a session being recorded.</summary>
    protected override Task<long?> CountWrittenAsync(string folder)
    {
        var path = Path.Combine(folder, "session.db");
        if (!File.Exists(path))
        {
            return Task.FromResult<long?>(0);
        }
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM events";
        return Task.FromResult<long?>((long)command.ExecuteScalar()!);
    }

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new SessionStoreConfig { Path = "" }, "path"),
        (new SessionStoreConfig { BatchSize = 0 }, "batch_size"),
        (new SessionStoreConfig { FlushIntervalMs = 1 }, "flush_interval_ms"),
    ];
}
