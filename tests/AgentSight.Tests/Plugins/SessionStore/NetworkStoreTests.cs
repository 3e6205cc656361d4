using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.SessionStore;
using AgentSight.Tests.Support;
using AgentSight.Tests.WebUi;
using Microsoft.Data.Sqlite;
using static AgentSight.Tests.WebUi.SessionEvents;

namespace AgentSight.Tests.SessionStore;

/// <summary><c>network</c> events in the session store: stored like any event, joined into <c>connections</c>, served back alike.</summary>
public sealed partial class NetworkStoreTests
{
    private static async Task<string> StoreAsync(TempFolder folder, IEnumerable<AgentEvent> events, int batchSize = 1000)
    {
        var db = folder.Combine("n.db");
        var sink = new SessionStoreSink(new SessionStoreConfig { Path = db, BatchSize = batchSize, FlushIntervalMs = 600_000 },
            new TestStageContext { StageId = "session-store" }, TimeProvider.System);
        await sink.StartAsync(CancellationToken.None);
        foreach (var evt in events)
        {
            sink.Write(evt);
        }
        await sink.StopAsync(CancellationToken.None);
        return db;
    }

    private static List<Dictionary<string, object?>> Rows(string db, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    private static object? Scalar(string db, string sql) => Rows(db, sql).Single().Values.Single();

    [Fact]
    public async Task Network_events_are_stored_like_any_event_with_their_fields_queryable()
    {
        using var folder = TempFolder.ForCaller();
        var db = await StoreAsync(folder, NetworkSession());

        var network = NetworkSession().Count(e => e.Source == EventSources.Network);
        Assert.Equal((long)network, Scalar(db, "SELECT COUNT(*) FROM events WHERE source = 'network'"));
        Assert.Equal(GnuTlsReason, Scalar(db, "SELECT DISTINCT json_extract(json, '$.data.reason') FROM events WHERE json_extract(json, '$.data.event') = 'TLS_UNSEEN'"));
        Assert.Equal("ECONNREFUSED", Scalar(db, "SELECT json_extract(json, '$.data.error') FROM events WHERE json_extract(json, '$.data.result') = 'error'"));
        Assert.Equal("[\"h2\",\"http/1.1\"]", Scalar(db, "SELECT json_extract(json, '$.data.alpn') FROM events WHERE json_extract(json, '$.data.fd') = 12 AND json_extract(json, '$.data.event') = 'TLS_HELLO'"));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(1)]
    public async Task Each_connection_is_one_row_joining_its_connect_hello_and_unseen_report(int batchSize)
    {
        using var folder = TempFolder.ForCaller();
        // Batches of one: a row written at its connect is rewritten whole when its hello and its report come.
        var db = await StoreAsync(folder, NetworkSession(), batchSize);

        Assert.Equal(6L, Scalar(db, "SELECT COUNT(*) FROM connections"));
        Assert.Equal(2L, Scalar(db, "SELECT COUNT(*) FROM connections WHERE host = 'api.anthropic.com' AND tls = 1 AND connect_seq IS NOT NULL AND hello_seq IS NOT NULL"));
        var x = Rows(db, "SELECT * FROM connections WHERE server_name = 'api.x.com'").Single();
        Assert.Equal(300L, x["pid"]);
        Assert.Equal(3L, x["fd"]);
        Assert.Equal(("ipv6", "::1", 443L, "ok"), (x["family"], x["address"], x["port"], x["result"]));
        Assert.Equal(("[::1]:443", 1L, 1L, 1L), (x["remote"], x["tls"], x["tls13"], x["unseen"]));
        Assert.Equal((GnuTlsReason, "/usr/bin/gnutls-cli", null), (x["reason"], x["binary"], x["program"]));
        Assert.Equal(Scalar(db, "SELECT id FROM processes WHERE pid = 300"), x["process_id"]);
        Assert.Equal("TLS_UNSEEN", Scalar(db, $"SELECT json_extract(json, '$.data.event') FROM events WHERE seq = {x["unseen_seq"]}"));
        var unix = Rows(db, "SELECT * FROM connections WHERE family = 'unix'").Single();
        Assert.Equal(("/run/x.sock", "/run/x.sock", 0L, 0L), (unix["path"], unix["host"], unix["tls"], unix["unseen"]));
        var refused = Rows(db, "SELECT * FROM connections WHERE result = 'error'").Single();
        Assert.Equal(("127.0.0.1:9", "ECONNREFUSED"), (refused["host"], refused["error"]));
        Assert.Equal("[\"h2\",\"http/1.1\"]", Scalar(db, "SELECT DISTINCT alpn FROM connections WHERE host = 'api.anthropic.com'"));
        Assert.Equal(2L, Scalar(db, "SELECT COUNT(*) FROM connections WHERE unseen = 1"));
    }

    [Fact]
    public async Task The_schema_stays_readable_by_version_1_readers_and_names_its_additive_revision()
    {
        using var folder = TempFolder.ForCaller();
        var db = await StoreAsync(folder, NetworkSession());
        Assert.Equal("1", Scalar(db, "SELECT value FROM meta WHERE key = 'schema_version'"));
        Assert.Equal("3", Scalar(db, "SELECT value FROM meta WHERE key = 'schema_minor'"));
    }

    [Fact]
    public async Task Serving_the_stored_session_shows_the_same_hosts_and_warnings_as_serving_its_ndjson()
    {
        using var folder = TempFolder.ForCaller();
        var recording = folder.Combine("network.jsonl");
        await File.WriteAllLinesAsync(recording, NetworkSession().Select(AgentEventJson.ToJson));
        var db = folder.Combine("network.db");
        var store = await HostProcess.RunAsync(["--manifest", StoreOnlyManifest(folder, db), "replay", recording, "--no-summary"]);
        Assert.True(store.ExitCode == 0, store.Stderr);

        var served = new List<(JsonNode Network, JsonNode Connections)>();
        foreach (var session in new[] { recording, db })
        {
            using var host = HostProcess.Start(["serve", session, "--port", "0"]);
            await host.WaitForStderrAsync("serving until Ctrl+C", TimeSpan.FromSeconds(60));
            using var http = WebUiAddress.Client(host.Stderr);
            // The server may still be reading the session in when it says it serves: wait for its hosts (10 s at most).
            var overview = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/overview", UriKind.Relative)))!;
            for (var tries = 0; tries < 40 && overview["network"]?["hosts"]?.GetValue<int>() == 0; tries++)
            {
                await Task.Delay(250);
                overview = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/overview", UriKind.Relative)))!;
            }
            var connections = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/network", UriKind.Relative)))!;
            served.Add((overview["network"]!, connections));
            host.Signal(2);
            Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        var (fromNdjson, fromDb) = (served[0], served[1]);
        Assert.Equal(SessionEvents.GnuTlsReason, fromNdjson.Network["warnings"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal(5, fromNdjson.Network["hosts"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(fromNdjson.Network, fromDb.Network), $"{fromNdjson.Network.ToJsonString()}\n{fromDb.Network.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(fromNdjson.Connections, fromDb.Connections), $"{fromNdjson.Connections.ToJsonString()}\n{fromDb.Connections.ToJsonString()}");

        // And the report, from either.
        foreach (var session in new[] { recording, db })
        {
            var (code, stdout, stderr) = await HostProcess.RunAsync(["report", session]);
            Assert.True(code == 0, stderr);
            Assert.Contains("  ! 2 TLS connections were not seen: gnutls-cli 300 (/usr/bin/gnutls-cli) to api.x.com, api.y.com: " + GnuTlsReason, stdout, StringComparison.Ordinal);
            using var json = JsonDocument.Parse((await HostProcess.RunAsync(["report", session, "--json"])).Stdout);
            Assert.Equal(2, json.RootElement.GetProperty("overview").GetProperty("network").GetProperty("unseen").GetInt32());
        }
    }
}
