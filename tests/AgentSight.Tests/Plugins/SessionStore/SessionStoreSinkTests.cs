using AgentSight.Contracts;
using AgentSight.Plugins.SessionStore;
using AgentSight.Tests.Support;
using AgentSight.Tests.WebUi;
using Microsoft.Data.Sqlite;
using static AgentSight.Tests.WebUi.SessionEvents;

namespace AgentSight.Tests.SessionStore;

public sealed class SessionStoreSinkTests
{
    private static SessionStoreSink Sink(string path, int batchSize = 1000, int flushMs = 50, bool overwrite = false) =>
        new(new SessionStoreConfig { Path = path, BatchSize = batchSize, FlushIntervalMs = flushMs, Overwrite = overwrite },
            new TestStageContext { StageId = "session-store" }, TimeProvider.System);

    private static long Scalar(string db, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Text(string db, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    [Fact]
    public async Task Stores_every_event_and_the_tables_read_from_them()
    {
        using var folder = TempFolder.ForCaller();
        var db = folder.Combine("s.db");
        var sink = Sink(db);
        await sink.StartAsync(CancellationToken.None);
        foreach (var evt in AgentSession())
        {
            sink.Write(evt);
        }
        await sink.StopAsync(CancellationToken.None);

        Assert.Equal(AgentSession().Count, Scalar(db, "SELECT COUNT(*) FROM events"));
        Assert.Equal(3, Scalar(db, "SELECT COUNT(*) FROM processes"));
        Assert.Equal(1, Scalar(db, "SELECT exit_code FROM processes WHERE pid = 300"));
        Assert.Equal("[\"claude\",\"-p\",\"fix it\"]", Text(db, "SELECT argv FROM processes WHERE pid = 200"));
        Assert.Equal(Scalar(db, "SELECT id FROM processes WHERE pid = 200"), Scalar(db, "SELECT parent_id FROM processes WHERE pid = 300"));
        Assert.Equal(3, Scalar(db, "SELECT COUNT(*) FROM files"));
        Assert.Equal("/proj/src/app.ts", Text(db, "SELECT path FROM files WHERE writes = 1"));
        Assert.Equal("ENOENT", Text(db, "SELECT error FROM files WHERE path = '/proj/.env'"));
        Assert.Equal(2, Scalar(db, "SELECT COUNT(*) FROM http_exchanges"));
        Assert.Equal(2500, Scalar(db, "SELECT SUM(input_tokens) FROM llm_calls"));
        Assert.Equal(At(0.5), Scalar(db, "SELECT start_ns FROM llm_calls WHERE exchange_id = '200:0x1:1'"));
        Assert.Equal("overloaded_error", Text(db, "SELECT error_type FROM llm_calls WHERE output_tokens = 0"));
        Assert.Equal("claude-opus-4-1-20250805", Text(db, "SELECT DISTINCT model FROM llm_calls"));
        Assert.Equal("1", Text(db, "SELECT value FROM meta WHERE key = 'schema_version'"));
        Assert.Equal("true", Text(db, "SELECT value FROM meta WHERE key = 'complete'"));
        Assert.Equal(AgentSession().Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(db, "SELECT value FROM meta WHERE key = 'events'"));
        // Every line is the event as replay reads it back.
        var json = Text(db, "SELECT json FROM events WHERE seq = 5");
        Assert.True(AgentEventJson.TryParse(System.Text.Encoding.UTF8.GetBytes(json), out var back, out _));
        Assert.Equal("llm", back!.Source);
    }

    [Fact]
    public async Task Is_readable_while_the_session_runs()
    {
        using var folder = TempFolder.ForCaller();
        var db = folder.Combine("live.db");
        var sink = Sink(db, flushMs: 50);
        await sink.StartAsync(CancellationToken.None);
        foreach (var evt in Some.Sequence(10))
        {
            sink.Write(evt);
        }
        // Written by the timer, not by the end of the session.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Scalar(db, "SELECT COUNT(*) FROM events") < 10 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Equal(10, Scalar(db, "SELECT COUNT(*) FROM events"));
        Assert.Equal("false", Text(db, "SELECT value FROM meta WHERE key = 'complete'"));
        sink.Write(Some.Sequence(11).Last());
        await sink.StopAsync(CancellationToken.None);
        Assert.Equal(11, Scalar(db, "SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task A_finished_session_is_indexed_for_queries_by_source_pid_time_and_path()
    {
        using var folder = TempFolder.ForCaller();
        var db = folder.Combine("indexed.db");
        var sink = Sink(db, batchSize: 1);
        await sink.StartAsync(CancellationToken.None);
        foreach (var evt in AgentSession())
        {
            sink.Write(evt);
        }
        // While it is written, the growing tables carry no index to keep up to date, and a query scans.
        Assert.Equal(0, Scalar(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('events', 'files')"));
        Assert.Equal(2, Scalar(db, "SELECT COUNT(*) FROM events WHERE source = 'llm' AND pid = 200"));
        await sink.StopAsync(CancellationToken.None);

        Assert.Contains("INDEX events_source ", Plan(db, "SELECT seq FROM events WHERE source = 'llm' ORDER BY seq"));
        Assert.Contains("INDEX events_pid ", Plan(db, "SELECT seq FROM events WHERE pid = 200 ORDER BY seq"));
        Assert.Contains("INDEX events_timestamp ", Plan(db, "SELECT seq FROM events WHERE timestamp > 5"));
        Assert.Contains("INDEX files_path ", Plan(db, "SELECT * FROM files WHERE path = '/proj/.env'"));
        Assert.Equal(2, Scalar(db, "SELECT COUNT(*) FROM events WHERE source = 'llm' AND pid = 200"));
    }

    private static string Plan(string db, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        using var reader = command.ExecuteReader();
        var details = new List<string>();
        while (reader.Read())
        {
            details.Add(reader.GetString(3));
        }
        return string.Join("; ", details) + " ";
    }

    [Fact]
    public async Task Writes_in_batches_of_the_configured_size()
    {
        using var folder = TempFolder.ForCaller();
        var db = folder.Combine("b.db");
        var context = new TestStageContext();
        var sink = new SessionStoreSink(new SessionStoreConfig { Path = db, BatchSize = 100, FlushIntervalMs = 600_000 }, context, TimeProvider.System);
        await sink.StartAsync(CancellationToken.None);
        foreach (var evt in Some.Sequence(250))
        {
            sink.Write(evt);
        }
        Assert.Equal(200, Scalar(db, "SELECT COUNT(*) FROM events"));
        Assert.Equal(2, context.CounterValue(SessionStoreSink.BatchesCounter));
        await sink.StopAsync(CancellationToken.None);
        Assert.Equal(250, Scalar(db, "SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task Never_overwrites_another_session_unless_told_to()
    {
        using var folder = TempFolder.ForCaller();
        var db = folder.Combine("taken.db");
        await File.WriteAllTextAsync(db, "an earlier session");
        var error = await Assert.ThrowsAsync<IOException>(() => Sink(db).StartAsync(CancellationToken.None).AsTask());
        Assert.Contains("will not overwrite", error.Message, StringComparison.Ordinal);
        Assert.Equal("an earlier session", await File.ReadAllTextAsync(db));

        var sink = Sink(db, overwrite: true);
        await sink.StartAsync(CancellationToken.None);
        await sink.StopAsync(CancellationToken.None);
        Assert.Equal(0, Scalar(db, "SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task The_file_is_for_its_owner_only_and_named_after_the_start_time()
    {
        using var folder = TempFolder.ForCaller();
        var sink = Sink(folder.Combine("sessions/session-{time}.db"));
        await sink.StartAsync(CancellationToken.None);
        await sink.StopAsync(CancellationToken.None);
        Assert.Matches(@"/sessions/session-\d{8}-\d{6}\.db$", sink.Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sink.Path));
    }

    [Fact]
    public async Task Loads_with_its_native_sqlite_inside_its_own_plugin_context_in_the_real_host()
    {
        using var folder = TempFolder.ForCaller();
        var recording = folder.Combine("r.jsonl");
        await File.WriteAllLinesAsync(recording, AgentSession().Select(AgentEventJson.ToJson));
        var db = folder.Combine("r.db");
        var (code, _, stderr) = await HostProcess.RunAsync(["--manifest", SessionEvents.StoreOnlyManifest(folder, db), "replay", recording, "--no-summary"]);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("ERR", stderr, StringComparison.Ordinal);
        Assert.Equal(AgentSession().Count, Scalar(db, "SELECT COUNT(*) FROM events"));
        // The counters of the whole pipeline at the end: every stage, the store itself included.
        Assert.Equal(14, Scalar(db, "SELECT value FROM pipeline_counters WHERE final = 1 AND scope = 'stage' AND id = 'session-store' AND name = 'in'"));
        Assert.Equal(14, Scalar(db, "SELECT value FROM pipeline_counters WHERE final = 1 AND scope = 'source' AND id = 'replay' AND name = 'produced'"));
    }
}
