using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Plugins.SessionStore;
using AgentSight.Tests.Plugins;
using AgentSight.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace AgentSight.Tests.SessionStore;

/// <summary>
/// The session store when things go wrong: the host restarting the stage after a failure (the fresh instance goes
/// on with the same database), and a real full disk (events held, retried with backoff, written when space returns).
/// </summary>
public sealed class SessionStoreFailureTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData("s.db", false)]
    [InlineData("s.db", true)]
    [InlineData("session-{time}.db", false)]
    public async Task The_host_restarting_the_stage_after_a_failure_reopens_the_same_database_and_goes_on(string name, bool overwrite)
    {
        using var folder = TempFolder.ForCaller();
        // A restart a second later must not start a second file named after its own start time either.
        var factory = new FailOnceFactory(new SessionStoreFactory(),
            new SessionStoreConfig { Path = folder.Combine(name), BatchSize = 10, FlushIntervalMs = 60_000, Overwrite = overwrite },
            failAtSeq: 25, restartDelay: name.Contains("{time}", StringComparison.Ordinal) ? TimeSpan.FromSeconds(1.1) : TimeSpan.Zero);
        var harness = new PipelineHarness().Add(factory, id: "session-store", maxFailures: 10);

        var snapshot = await harness.RunAsync(Some.Sequence(60));

        var stage = Assert.Single(snapshot.Stages, s => s.Id == "session-store");
        Assert.Equal(1, stage.Failed);
        Assert.Equal(1, stage.Restarts);
        Assert.NotEqual(StageState.Removed, stage.State);
        var db = Assert.Single(Directory.GetFiles(folder.Path, "*.db"));
        // Every event but the one the failure was reported on (the host counted it as failed), in order, numbered on.
        Assert.Equal(Enumerable.Range(0, 60).Where(i => i != 25).Select(i => (long)i), Column(db, "SELECT json_extract(json, '$.data.seq') FROM events ORDER BY seq"));
        Assert.Equal(Enumerable.Range(1, 59).Select(i => (long)i), Column(db, "SELECT seq FROM events ORDER BY seq"));
        Assert.Equal("true", Text(db, "SELECT value FROM meta WHERE key = 'complete'"));
        Assert.Equal("59", Text(db, "SELECT value FROM meta WHERE key = 'events'"));
    }

    [Fact]
    public async Task A_full_disk_holds_the_events_retries_with_backoff_and_writes_them_when_space_returns()
    {
        using var disk = SmallFilesystem.Mount(4096);
        var db = disk.Combine("s.db");
        var time = new FakeTimeProvider();
        var context = new TestStageContext();
        var sink = new SessionStoreSink(new SessionStoreConfig { Path = db, BatchSize = 10, FlushIntervalMs = 60_000 }, context, time);
        await sink.StartAsync(None);
        var events = Padded(400).ToList();
        foreach (var evt in events.Take(10))
        {
            sink.Write(evt);
        }
        Assert.Equal(10, Scalar(db, "SELECT COUNT(*) FROM events"));
        disk.Fill();

        foreach (var evt in events.Skip(10))
        {
            sink.Write(evt);
        }
        Assert.Equal(10, Scalar(db, "SELECT COUNT(*) FROM events"));
        Assert.Equal(0, context.CounterValue("write_retries"));
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(1, context.CounterValue("write_retries"));
        for (var i = 0; i < 300; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
        }
        // 50 ms … 3.2 s is 7 attempts in 6.35 s, then one every 5 s.
        Assert.InRange(context.CounterValue("write_retries"), 9, 13);

        disk.Free();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(400, Scalar(db, "SELECT COUNT(*) FROM events"));
        await sink.StopAsync(None);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), Column(db, "SELECT json_extract(json, '$.data.seq') FROM events ORDER BY seq"));
        Assert.Equal("true", Text(db, "SELECT value FROM meta WHERE key = 'complete'"));
        Assert.Equal(0, context.CounterValue("events_dropped"));
    }

    [Fact]
    public async Task Stopping_on_a_disk_still_full_counts_and_reports_what_was_not_stored_and_leaves_the_session_incomplete()
    {
        using var disk = SmallFilesystem.Mount(1024);
        var db = disk.Combine("s.db");
        var context = new TestStageContext();
        var sink = new SessionStoreSink(new SessionStoreConfig { Path = db, BatchSize = 10, FlushIntervalMs = 60_000 }, context, new FakeTimeProvider());
        await sink.StartAsync(None);
        var events = Padded(300).ToList();
        foreach (var evt in events.Take(10))
        {
            sink.Write(evt);
        }
        disk.Fill();
        foreach (var evt in events.Skip(10))
        {
            sink.Write(evt);
        }

        var error = await Assert.ThrowsAnyAsync<IOException>(() => sink.StopAsync(None).AsTask());

        Assert.Contains("290 events", error.Message, StringComparison.Ordinal);
        Assert.Equal(290, context.CounterValue("events_dropped"));
        disk.Free();
        Assert.Equal(10, Scalar(db, "SELECT COUNT(*) FROM events"));
        Assert.Equal("false", Text(db, "SELECT value FROM meta WHERE key = 'complete'"));
    }

    private static IEnumerable<AgentEvent> Padded(int count) =>
        Enumerable.Range(0, count).Select(i => Some.JsonEvent("seq", new System.Text.Json.Nodes.JsonObject { ["seq"] = i, ["pad"] = new string('p', 2000) }));

    private static SqliteConnection Open(string db)
    {
        var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private static long Scalar(string db, string sql)
    {
        using var connection = Open(db);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Text(string db, string sql)
    {
        using var connection = Open(db);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    private static List<long> Column(string db, string sql)
    {
        using var connection = Open(db);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<long>();
        while (reader.Read())
        {
            values.Add(reader.GetInt64(0));
        }
        return values;
    }

    /// <summary>
    /// The session store's factory, with one planted failure: the instance that gets event <c>failAtSeq</c> throws,
    /// as if writing it had failed, so the host stops it and asks the factory for a fresh instance with the same
    /// context (optionally starting it a while later).
    /// </summary>
    private sealed class FailOnceFactory(ISinkFactory inner, SessionStoreConfig config, int failAtSeq, TimeSpan restartDelay) : SinkFactory<NoConfig>
    {
        private readonly int _failAtSeq = failAtSeq;
        private int _created;
        private bool _failed;

        public override string Description => "session store with a planted failure";

        protected override ISink Create(NoConfig unused, IStageContext context)
        {
            var restart = _created++ > 0;
            return new Failing(this, inner.Create(config, context), restart ? restartDelay : TimeSpan.Zero);
        }

        private sealed class Failing(FailOnceFactory owner, ISink sink, TimeSpan delay) : ISink
        {
            public async ValueTask StartAsync(CancellationToken cancellationToken)
            {
                await Task.Delay(delay, cancellationToken);
                await sink.StartAsync(cancellationToken);
            }

            public void Write(ReadOnlyEvent evt)
            {
                if (!owner._failed && PipelineHarness.Seq(evt) == owner._failAtSeq)
                {
                    owner._failed = true;
                    throw new IOException("planted failure");
                }
                sink.Write(evt);
            }

            public ValueTask FlushAsync(CancellationToken cancellationToken) => sink.FlushAsync(cancellationToken);

            public ValueTask StopAsync(CancellationToken cancellationToken) => sink.StopAsync(cancellationToken);
        }
    }
}
