using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AgentSight.Tests.WebUi;

/// <summary>
/// A stored session whose recorder did not finish (killed, crashed, or still recording: <c>meta.complete</c> not
/// <c>true</c>) may miss the events that were in the pipeline's queues; its last counters predate them. `report` and
/// the UI must say so where losses are shown, never "no event was lost".
/// </summary>
public sealed partial class IncompleteSessionTests
{
    [Theory]
    [InlineData("false")]
    [InlineData(null)]
    public async Task A_stored_session_without_its_completion_mark_is_reported_incomplete(string? complete)
    {
        using var folder = TempFolder.ForCaller();
        var db = await StoredSession(folder);
        using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = complete is null ? "DELETE FROM meta WHERE key = 'complete'" : $"UPDATE meta SET value = '{complete}' WHERE key = 'complete'";
            command.ExecuteNonQuery();
        }

        var (code, text, stderr) = await HostProcess.RunAsync(["report", db]);

        Assert.True(code == 0, stderr);
        var drops = text[text.IndexOf("\nDrops\n", StringComparison.Ordinal)..];
        Assert.Contains("incomplete", drops, StringComparison.Ordinal);
        Assert.Contains("did not finish", drops, StringComparison.Ordinal);
        Assert.DoesNotContain("no event was lost", text, StringComparison.Ordinal);
        Assert.Contains("incomplete", text.Split('\n')[1], StringComparison.Ordinal);

        var json = await HostProcess.RunAsync(["report", db, "--json"]);
        using var report = JsonDocument.Parse(json.Stdout);
        var overview = report.RootElement.GetProperty("overview");
        Assert.True(overview.GetProperty("drops").GetProperty("incomplete").GetBoolean());
        Assert.Contains("did not finish", overview.GetProperty("drops").GetProperty("incomplete_text").GetString(), StringComparison.Ordinal);

        using var host = HostProcess.Start(["serve", db, "--port", "0"]);
        await host.WaitForStderrAsync("serving until Ctrl+C", TimeSpan.FromSeconds(60));
        using var http = WebUiAddress.Client(host.Stderr);
        using var served = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/overview", UriKind.Relative)));
        Assert.True(served.RootElement.GetProperty("drops").GetProperty("incomplete").GetBoolean());
        host.Signal(2);
        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_session_that_ended_cleanly_is_not_flagged()
    {
        using var folder = TempFolder.ForCaller();
        var db = await StoredSession(folder);

        var (code, text, _) = await HostProcess.RunAsync(["report", db]);
        Assert.Equal(0, code);
        Assert.Contains("no event was lost", text, StringComparison.Ordinal);
        Assert.DoesNotContain("incomplete", text, StringComparison.Ordinal);
        var json = await HostProcess.RunAsync(["report", db, "--json"]);
        using var report = JsonDocument.Parse(json.Stdout);
        Assert.False(report.RootElement.GetProperty("overview").GetProperty("drops").GetProperty("incomplete").GetBoolean());
    }

    [Fact]
    public async Task A_recording_killed_with_sigkill_is_reported_incomplete()
    {
        using var folder = TempFolder.ForCaller();
        // 3000 events over 30 s of event time, replayed at their pace: the store holds some when the recorder dies.
        var recording = folder.Combine("long.jsonl");
        File.WriteAllLines(recording, Enumerable.Range(0, 3000).Select(i =>
            AgentEventJson.ToJson(new AgentEvent(Some.Epoch + (i * 10_000_000L), "seq", 1, 1, "seq", new JsonPayload(new JsonObject { ["seq"] = i })))));
        var db = folder.Combine("killed.db");
        using (var recorder = HostProcess.Start(["--manifest", SessionEvents.StoreOnlyManifest(folder, db), "replay", recording, "--speed", "1",
                   "--set", "session-store.flush_interval_ms=50", "--no-summary"]))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (StoredEvents(db) < 100)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the store never held 100 events; stderr:\n{recorder.Stderr}");
                await Task.Delay(50);
            }
            recorder.Signal(9);
            await recorder.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.InRange(StoredEvents(db), 100, 2999);

        var (code, text, stderr) = await HostProcess.RunAsync(["report", db]);

        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("no event was lost", text, StringComparison.Ordinal);
        Assert.Contains("incomplete", text[text.IndexOf("\nDrops\n", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    private static async Task<string> StoredSession(TempFolder folder)
    {
        var recording = folder.Combine("session.jsonl");
        await File.WriteAllLinesAsync(recording, SessionEvents.AgentSession().Select(AgentEventJson.ToJson));
        var db = folder.Combine("stored.db");
        var (code, _, stderr) = await HostProcess.RunAsync(["--manifest", SessionEvents.StoreOnlyManifest(folder, db), "replay", recording, "--no-summary"]);
        Assert.True(code == 0, stderr);
        return db;
    }

    /// <summary>Events the store has committed so far (0 while the file is not there yet).</summary>
    private static long StoredEvents(string db)
    {
        if (!File.Exists(db))
        {
            return 0;
        }
        try
        {
            using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM events";
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return 0;
        }
    }
}
