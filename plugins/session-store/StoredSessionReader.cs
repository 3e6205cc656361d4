using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.SessionStore;

/// <summary>
/// Reads a stored session back, in order, and then one <c>session</c> event with what its pipeline counted when it
/// was recorded (losses included) and its meta data: what <c>serve</c> and <c>report</c> put on the bus.
/// </summary>
/// <remarks>
/// Opened read-only: a session still being recorded (WAL mode) can be opened, and shows what was written so far.
/// The <c>session</c> event's data: <c>{"kind":"recorded_session","taken_at","meta":{…},"sources":[{name, produced,
/// counters}],"stages":[{position, id, plugin, kind, state, in, out, dropped, failed, restarts, queue_depth,
/// queue_high_water, queue_capacity, backpressure, time_spent_ms, counters}]}</c> (docs/SESSION-STORE.md).
/// </remarks>
internal sealed class StoredSessionReader(string path, ISessionReadContext context)
{
    /// <summary>The source of the record that follows the events.</summary>
    public const string SessionSource = "session";

    /// <summary>Counter of rows whose event could not be read (skipped).</summary>
    public const string BadRowsCounter = "bad_rows";

    private static readonly HashSet<string> StageFields = new(StringComparer.Ordinal)
    {
        "in", "out", "dropped", "failed", "restarts", "queue_depth", "queue_high_water", "queue_capacity",
    };

    public async IAsyncEnumerable<AgentEvent> ReadAsync([EnumeratorCancellation] CancellationToken stop)
    {
        var badRows = context.Counter(BadRowsCounter);
        await using var db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        await Guard(db.OpenAsync(stop));
        var meta = await Guard(ReadMetaAsync(db, stop));
        if (!meta.TryGetValue("schema_version", out var version))
        {
            throw new InvalidDataException($"{path} is a SQLite database but not a stored session (it has no schema_version in its meta table)");
        }
        if (version != Schema.Version.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"{path} is a stored session of schema version {version}; this agentsight reads version {Schema.Version}");
        }
        context.Logger.LogInformation("Reading the stored session {Path} ({Events} events; recorded with: {CommandLine})", path,
            meta.GetValueOrDefault("events", "?"), meta.GetValueOrDefault("command_line", "?"));

        long last = 0;
        long count = 0;
        await using (var command = db.CreateCommand())
        {
            command.CommandText = "SELECT seq, json FROM events ORDER BY seq";
            await using var reader = await Guard(command.ExecuteReaderAsync(stop));
            while (await Guard(reader.ReadAsync(stop)))
            {
                var json = reader.GetString(1);
                if (!AgentEventJson.TryParse(Encoding.UTF8.GetBytes(json), out var evt, out var error))
                {
                    badRows.Add();
                    context.Logger.LogWarning("{Path}: event {Seq} skipped: {Error}", path, reader.GetInt64(0), error);
                    continue;
                }
                last = Math.Max(last, evt.Timestamp);
                count++;
                yield return evt;
            }
        }
        var record = await Guard(ReadCountersAsync(db, meta, stop));
        yield return new AgentEvent(last, SessionSource, 0, 0, string.Empty, new JsonPayload(record));
        context.Logger.LogInformation("Read {Count} events from {Path}", count, path);
    }

    /// <summary>Damage the check before the run did not reach (the file changed since, or a page it does not walk), as the reader's error.</summary>
    private async Task<T> Guard<T>(Task<T> task)
    {
        try
        {
            return await task;
        }
        catch (SqliteException ex) when (SessionDatabaseCheck.IsDamage(ex))
        {
            throw new InvalidDataException(SessionDatabaseCheck.Damage(path, SessionDatabaseCheck.Describe(ex)).Message, ex);
        }
    }

    private async Task Guard(Task task) => await Guard(WithResult(task));

    private static async Task<bool> WithResult(Task task)
    {
        await task;
        return true;
    }

    private static async Task<Dictionary<string, string>> ReadMetaAsync(SqliteConnection db, CancellationToken stop)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT key, value FROM meta";
        try
        {
            await using var reader = await command.ExecuteReaderAsync(stop);
            while (await reader.ReadAsync(stop))
            {
                meta[reader.GetString(0)] = reader.IsDBNull(1) ? string.Empty : reader.GetString(1);
            }
        }
        catch (SqliteException ex) when (!SessionDatabaseCheck.IsDamage(ex))
        {
            // No meta table: not a stored session; the caller says so.
        }
        return meta;
    }

    /// <summary>The newest counters snapshot (the final one when the session ended cleanly), shaped for the web UI.</summary>
    private static async Task<JsonObject> ReadCountersAsync(SqliteConnection db, Dictionary<string, string> meta, CancellationToken stop)
    {
        var sources = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var stages = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        long? taken = null;
        await using var command = db.CreateCommand();
        command.CommandText = """
            SELECT taken_ns, scope, id, plugin, position, kind, state, backpressure, name, value FROM pipeline_counters
            WHERE snapshot = (SELECT MAX(snapshot) FROM pipeline_counters) ORDER BY scope, position, id, name
            """;
        await using var reader = await command.ExecuteReaderAsync(stop);
        while (await reader.ReadAsync(stop))
        {
            taken = reader.GetInt64(0);
            var id = reader.GetString(2);
            var name = reader.GetString(8);
            var value = reader.GetInt64(9);
            if (reader.GetString(1) == "source")
            {
                if (!sources.TryGetValue(id, out var source))
                {
                    source = new JsonObject { ["name"] = id, ["produced"] = 0, ["counters"] = new JsonObject() };
                    sources.Add(id, source);
                }
                if (name == "produced")
                {
                    source["produced"] = value;
                }
                else
                {
                    source["counters"]!.AsObject()[name] = value;
                }
                continue;
            }
            if (!stages.TryGetValue(id, out var stage))
            {
                stage = new JsonObject
                {
                    ["position"] = reader.IsDBNull(4) ? 0 : reader.GetInt32(4),
                    ["id"] = id,
                    ["plugin"] = reader.IsDBNull(3) ? id : reader.GetString(3),
                    ["kind"] = reader.IsDBNull(5) ? "sink" : reader.GetString(5),
                    ["state"] = reader.IsDBNull(6) ? "stopped" : reader.GetString(6),
                    ["backpressure"] = reader.IsDBNull(7) ? "block" : reader.GetString(7),
                    ["in"] = 0, ["out"] = 0, ["dropped"] = 0, ["failed"] = 0, ["restarts"] = 0,
                    ["queue_depth"] = 0, ["queue_high_water"] = 0, ["queue_capacity"] = 0, ["time_spent_ms"] = 0.0,
                    ["counters"] = new JsonObject(),
                };
                stages.Add(id, stage);
            }
            if (StageFields.Contains(name))
            {
                stage[name] = value;
            }
            else if (name == "time_spent_us")
            {
                stage["time_spent_ms"] = value / 1000.0;
            }
            else
            {
                stage["counters"]!.AsObject()[name.StartsWith("counter.", StringComparison.Ordinal) ? name["counter.".Length..] : name] = value;
            }
        }
        var metaObject = new JsonObject();
        foreach (var (key, value) in meta)
        {
            metaObject[key] = value;
        }
        return new JsonObject
        {
            ["kind"] = "recorded_session",
            ["taken_at"] = taken is { } ns ? DateTimeOffset.UnixEpoch.AddTicks(ns / 100).ToString("O", CultureInfo.InvariantCulture) : null,
            ["meta"] = metaObject,
            ["sources"] = new JsonArray([.. sources.Values]),
            ["stages"] = new JsonArray([.. stages.Values.OrderBy(s => (int)s["position"]!)]),
        };
    }
}
