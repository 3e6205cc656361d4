using AgentSight.Plugins.SessionStore;
using AgentSight.Tests.Support;
using Microsoft.Data.Sqlite;
using static AgentSight.Tests.WebUi.SessionEvents;

namespace AgentSight.Tests.SessionStore;

/// <summary>A long session's llm calls are still lined up with their exchanges, while the store keeps only the recent ones.</summary>
public sealed class RecentExchangesTests
{
    [Fact]
    public void Only_the_newest_exchanges_are_kept_and_the_first_seen_under_an_id_stays()
    {
        var table = new RecentExchanges();
        for (var i = 0; i < RecentExchanges.Capacity + 500; i++)
        {
            table.Add(Exchange($"e{i}", timestamp: i));
        }
        table.Add(Exchange($"e{RecentExchanges.Capacity + 499}", timestamp: -1));

        Assert.Equal(RecentExchanges.Capacity, table.Count);
        Assert.False(table.TryGet("e0", out _));
        Assert.False(table.TryGet("e499", out _));
        Assert.True(table.TryGet("e500", out _));
        Assert.True(table.TryGet($"e{RecentExchanges.Capacity + 499}", out var last));
        Assert.Equal(RecentExchanges.Capacity + 499, last.Timestamp);
    }

    [Fact]
    public async Task A_call_after_thousands_of_exchanges_takes_its_own_exchange_times()
    {
        using var folder = TempFolder.ForCaller();
        var db = folder.Combine("long.db");
        var sink = new SessionStoreSink(new SessionStoreConfig { Path = db }, new TestStageContext { StageId = "session-store" }, TimeProvider.System);
        await sink.StartAsync(CancellationToken.None);
        var count = RecentExchanges.Capacity * 2;
        for (var i = 0; i < count; i++)
        {
            sink.Write(Http(i, i + 0.5, 200, "claude", $"200:0x1:{i}"));
        }
        sink.Write(Llm(count - 0.4, 200, "claude", $"200:0x1:{count - 1}", "claude-opus-4-1", 10, 20, 400));
        await sink.StopAsync(CancellationToken.None);

        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT start_ns FROM llm_calls WHERE exchange_id = '200:0x1:{count - 1}'";
        Assert.Equal(At(count - 1), Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static AgentSight.Plugins.Common.Model.HttpExchange Exchange(string id, long timestamp) =>
        new(id, timestamp, 1, "c", "POST", "h", "/", 200, 1, 1, 1, 2, 3, true, "response_end", 0, 0, false);
}
