using System.Reflection;
using System.Text;
using System.Text.Json;
using AgentSight.Contracts;
using AgentSight.Plugins.Web.Model;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.SessionStore;

/// <summary>
/// Writes the session into one SQLite database: every event, and the tables read from them (processes, files, HTTP
/// exchanges, LLM calls, network connections), plus the pipeline's counters over time.
/// </summary>
/// <remarks>
/// <para>Events collect in memory and are written in one transaction per batch: when <c>batch_size</c> are waiting,
/// every <c>flush_interval_ms</c> (a timer, so a quiet session is still written out), and at the end. The database is
/// in WAL mode, so <c>sqlite3</c>, <c>agentsight report</c> or <c>serve</c> can read it while it is being written.</para>
/// <para>The lock is for the timer, which runs on its own thread; the host's calls never overlap.</para>
/// </remarks>
internal sealed class SessionStoreSink : ISink, IDisposable
{
    /// <summary>Counter of batches written.</summary>
    public const string BatchesCounter = "batches";

    private readonly SessionStoreConfig _config;
    private readonly IStageContext _context;
    private readonly TimeProvider _time;
    private readonly Counter _batches;
    private readonly Lock _gate = new();
    private readonly ProcessTracker _processes = new();
    private readonly HashSet<ProcessInstance> _dirty = [];
    private readonly NetworkTracker _network = new();
    private readonly HashSet<NetworkConnection> _dirtyConnections = [];
    private readonly Dictionary<string, HttpExchange> _exchanges = new(StringComparer.Ordinal);
    private readonly List<PendingEvent> _pending = [];
    private EventLineFormatter? _formatter;
    private SqliteConnection? _db;
    private ITimer? _timer;
    private string _path = string.Empty;
    private long _seq;
    private long _snapshot;
    private long _lastCountersTicks;
    private long? _firstNs;
    private long? _lastNs;
    private Exception? _timerFailure;
    private bool _stopped;

    internal SessionStoreSink(SessionStoreConfig config, IStageContext context, TimeProvider time)
    {
        _config = config;
        _context = context;
        _time = time;
        _batches = context.Counter(BatchesCounter);
    }

    /// <summary>The database file, once started.</summary>
    internal string Path => _path;

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_db is not null)
            {
                return ValueTask.CompletedTask;
            }
            _path = _config.ResolvePath(_time.GetLocalNow());
            _db = Open();
            _formatter = new EventLineFormatter();
            _lastCountersTicks = _time.GetTimestamp();
            var interval = TimeSpan.FromMilliseconds(_config.FlushIntervalMs);
            _timer = _time.CreateTimer(static state => ((SessionStoreSink)state!).OnTimer(), this, interval, interval);
            _context.Logger.LogInformation("Storing the session in {Path}", _path);
        }
        return ValueTask.CompletedTask;
    }

    private SqliteConnection Open()
    {
        if (Directory.Exists(_path))
        {
            throw new IOException($"the session store cannot write to {_path}: it is a directory");
        }
        if (File.Exists(_path))
        {
            if (!_config.Overwrite)
            {
                throw new IOException($"the session store will not overwrite {_path}: it holds another session (give another path, e.g. --set session-store.path=new.db, or set overwrite)");
            }
            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
            {
                File.Delete(_path + suffix);
            }
        }
        var directory = System.IO.Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        // Created first, for its owner only: it holds decrypted traffic. SQLite gives its -wal and -shm files the same mode.
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (new FileStream(_path, create))
        {
        }
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        db.Open();
        Execute(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        using var transaction = db.BeginTransaction();
        Execute(db, Schema.Create, transaction);
        SetMeta(db, transaction, "schema_version", Schema.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetMeta(db, transaction, "schema_minor", Schema.Minor.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetMeta(db, transaction, "created_at", _time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        SetMeta(db, transaction, "command_line", string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
        SetMeta(db, transaction, "tool_version", Assembly.GetEntryAssembly()?.GetName().Version?.ToString() ?? "");
        SetMeta(db, transaction, "stage_id", _context.StageId);
        SetMeta(db, transaction, "complete", "false");
        transaction.Commit();
        return db;
    }

    /// <inheritdoc />
    public void Write(AgentEvent evt)
    {
        lock (_gate)
        {
            if (_timerFailure is { } failure)
            {
                _timerFailure = null;
                throw new IOException($"the session store could not write to {_path}: {failure.Message}", failure);
            }
            if (_db is null)
            {
                throw new InvalidOperationException(_stopped ? "The session store was stopped." : "The session store was not started.");
            }
            var line = _formatter!.Format(evt).Span;
            var pending = new PendingEvent(++_seq, evt.Timestamp, evt.Source, evt.Pid, evt.Tid, evt.Comm, Encoding.UTF8.GetString(line[..^1]));
            _firstNs ??= evt.Timestamp;
            _lastNs = evt.Timestamp;
            var kind = ProcessTracker.KindOf(evt);
            var process = _processes.Apply(evt, kind, out var created);
            // Process events change a row; a process seen only through its traffic still gets one, once.
            if (process is not null && (created || evt.Source == EventSources.Process))
            {
                _dirty.Add(process);
            }
            pending.ProcessId = process?.Id;
            switch (evt.Source)
            {
                case EventSources.Process when kind == ProcessEventKind.FileOpen:
                    pending.File = FileOpen.Read(evt);
                    break;
                case "http":
                    pending.Http = HttpExchange.Read(evt);
                    if (pending.Http is { } exchange)
                    {
                        _exchanges.TryAdd(exchange.ExchangeId, exchange);
                    }
                    break;
                case "llm":
                    var call = LlmCall.Read(evt);
                    if (call.ExchangeId is { } id && _exchanges.TryGetValue(id, out var x))
                    {
                        call.AlignWith(x);
                    }
                    pending.Call = call;
                    break;
                case EventSources.Network:
                    // A connection's row grows with its connect, hello and report: written (again) with the batch.
                    if (NetworkEvent.Read(evt) is { } network && _network.Apply(network, process?.Id ?? 0, pending.Seq) is { } connection)
                    {
                        _dirtyConnections.Add(connection);
                    }
                    break;
            }
            _pending.Add(pending);
            if (_pending.Count >= _config.BatchSize)
            {
                WriteBatch();
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>The queue runs dry after nearly every event of a live session: the timer bounds the wait instead of a transaction per event.</remarks>
    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask StopAsync(CancellationToken cancellationToken)
    {
        Close();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Close();
        }
        catch (Exception ex) when (ex is SqliteException or IOException)
        {
            _context.Logger.LogError(ex, "The last events could not be written to {Path}", _path);
        }
    }

    private void Close()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            _timer?.Dispose();
            if (_db is null)
            {
                return;
            }
            try
            {
                WriteBatch();
                StoreCounters(final: true);
                using (var transaction = _db.BeginTransaction())
                {
                    SetMeta(_db, transaction, "complete", "true");
                    SetMeta(_db, transaction, "ended_at", _time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                    transaction.Commit();
                }
                // Folds the WAL into the main file, so the session is one file again once it ends.
                Execute(_db, "PRAGMA wal_checkpoint(TRUNCATE);");
                _context.Logger.LogInformation("Session stored in {Path} ({Events} events)", _path, _seq);
            }
            finally
            {
                _db.Dispose();
                _db = null;
                _formatter?.Dispose();
            }
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_db is null || _timerFailure is not null)
            {
                return;
            }
            try
            {
                WriteBatch();
                if (_time.GetElapsedTime(_lastCountersTicks) >= TimeSpan.FromMilliseconds(_config.CountersIntervalMs))
                {
                    StoreCounters(final: false);
                }
            }
            catch (Exception ex) when (ex is SqliteException or IOException)
            {
                // A timer thread has no caller to tell: the next Write rethrows, and the host handles it there.
                _timerFailure = ex;
            }
        }
    }

    private void WriteBatch()
    {
        if (_pending.Count == 0 && _dirty.Count == 0 && _dirtyConnections.Count == 0)
        {
            return;
        }
        var db = _db!;
        using var transaction = db.BeginTransaction();
        using var events = Command(db, transaction,
            "INSERT INTO events (seq, timestamp, source, pid, tid, comm, json) VALUES ($seq, $ts, $source, $pid, $tid, $comm, $json)");
        using var files = Command(db, transaction,
            "INSERT INTO files (event_seq, timestamp, process_id, pid, comm, path, flags, mode, access, writes, fd, error, errno) "
            + "VALUES ($seq, $ts, $process, $pid, $comm, $path, $flags, $mode, $access, $writes, $fd, $error, $errno)");
        using var http = Command(db, transaction,
            "INSERT OR IGNORE INTO http_exchanges (exchange_id, event_seq, timestamp, pid, comm, method, host, path, status, duration_ms, ttfb_ms, "
            + "request_start_ns, response_end_ns, complete, end_reason, request_body_size, response_body_size, streamed) VALUES ($id, $seq, $ts, $pid, "
            + "$comm, $method, $host, $path, $status, $duration, $ttfb, $start, $end, $complete, $reason, $reqsize, $respsize, $streamed)");
        using var llm = Command(db, transaction,
            "INSERT INTO llm_calls (event_seq, timestamp, start_ns, end_ns, pid, comm, exchange_id, provider, operation, model, request_model, "
            + "response_model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, duration_ms, ttft_ms, "
            + "ttfc_ms, status_code, error_type, streaming, complete, truncated, server_address, url_path, finish_reasons) VALUES ($seq, $ts, "
            + "$start, $end, $pid, $comm, $exchange, $provider, $operation, $model, $rmodel, $smodel, $in, $out, $cread, $ccreate, $reason, "
            + "$duration, $ttft, $ttfc, $status, $error, $streaming, $complete, $truncated, $server, $path, $finish)");
        foreach (var e in _pending)
        {
            Run(events, ("$seq", e.Seq), ("$ts", e.Timestamp), ("$source", e.Source), ("$pid", e.Pid), ("$tid", e.Tid), ("$comm", e.Comm), ("$json", e.Json));
            if (e.File is { } f)
            {
                Run(files, ("$seq", e.Seq), ("$ts", f.Timestamp), ("$process", e.ProcessId), ("$pid", f.Pid), ("$comm", f.Comm), ("$path", f.Path),
                    ("$flags", f.Flags), ("$mode", f.Mode), ("$access", f.Access), ("$writes", f.Writes), ("$fd", f.Fd), ("$error", f.Error), ("$errno", f.Errno));
            }
            if (e.Http is { } x)
            {
                Run(http, ("$id", x.ExchangeId), ("$seq", e.Seq), ("$ts", x.Timestamp), ("$pid", x.Pid), ("$comm", x.Comm), ("$method", x.Method),
                    ("$host", x.Host), ("$path", x.Path), ("$status", x.Status), ("$duration", x.DurationMs), ("$ttfb", x.TtfbMs),
                    ("$start", x.RequestStartNs), ("$end", x.ResponseEndNs), ("$complete", x.Complete), ("$reason", x.EndReason),
                    ("$reqsize", x.RequestBodySize), ("$respsize", x.ResponseBodySize), ("$streamed", x.Streamed));
            }
            if (e.Call is { } c)
            {
                Run(llm, ("$seq", e.Seq), ("$ts", c.Timestamp), ("$start", c.StartNs), ("$end", c.EndNs), ("$pid", c.Pid), ("$comm", c.Comm),
                    ("$exchange", c.ExchangeId), ("$provider", c.Provider), ("$operation", c.Operation), ("$model", c.Model),
                    ("$rmodel", c.RequestModel), ("$smodel", c.ResponseModel), ("$in", c.InputTokens), ("$out", c.OutputTokens),
                    ("$cread", c.CacheReadTokens), ("$ccreate", c.CacheCreationTokens), ("$reason", c.ReasoningTokens), ("$duration", c.DurationMs),
                    ("$ttft", c.TimeToFirstTokenMs), ("$ttfc", c.TimeToFirstChunkMs), ("$status", c.StatusCode), ("$error", c.ErrorType),
                    ("$streaming", c.Streaming), ("$complete", c.Complete), ("$truncated", c.Truncated), ("$server", c.ServerAddress),
                    ("$path", c.UrlPath), ("$finish", c.FinishReasons is null ? null : JsonSerializer.Serialize(c.FinishReasons)));
            }
        }
        if (_dirty.Count > 0)
        {
            using var processes = Command(db, transaction,
                "INSERT OR REPLACE INTO processes (id, pid, ppid, parent_id, comm, filename, argv, start_ns, start_known, exec_ns, end_ns, last_seen_ns, "
                + "exit_code, signal, core_dumped, duration_ms) VALUES ($id, $pid, $ppid, $parent, $comm, $filename, $argv, $start, $known, $exec, $end, "
                + "$last, $exit, $signal, $core, $duration)");
            foreach (var p in _dirty)
            {
                Run(processes, ("$id", p.Id), ("$pid", p.Pid), ("$ppid", p.Ppid), ("$parent", p.Parent?.Id), ("$comm", p.Comm), ("$filename", p.Filename),
                    ("$argv", p.Argv is null ? null : JsonSerializer.Serialize(p.Argv)), ("$start", p.StartNs), ("$known", p.StartKnown),
                    ("$exec", p.ExecNs), ("$end", p.EndNs), ("$last", p.LastSeenNs), ("$exit", p.ExitCode), ("$signal", p.Signal),
                    ("$core", p.CoreDumped), ("$duration", p.DurationMs));
            }
        }
        if (_dirtyConnections.Count > 0)
        {
            using var connections = Command(db, transaction,
                "INSERT OR REPLACE INTO connections (id, first_seq, start_ns, last_ns, process_id, pid, comm, fd, host, family, address, port, path, "
                + "result, error, tls, server_name, remote, alpn, tls13, unseen, binary, program, reason, connect_seq, hello_seq, unseen_seq) VALUES "
                + "($id, $first, $start, $last, $process, $pid, $comm, $fd, $host, $family, $address, $port, $path, $result, $error, $tls, $server, "
                + "$remote, $alpn, $tls13, $unseen, $binary, $program, $reason, $connect, $hello, $report)");
            foreach (var c in _dirtyConnections)
            {
                Run(connections, ("$id", c.Id), ("$first", c.FirstSeq), ("$start", c.StartNs), ("$last", c.LastNs),
                    ("$process", c.ProcessId == 0 ? null : c.ProcessId), ("$pid", c.Pid), ("$comm", c.Comm), ("$fd", c.Fd), ("$host", c.Host),
                    ("$family", c.Family), ("$address", c.Address), ("$port", c.Port), ("$path", c.Path), ("$result", c.Result),
                    ("$error", c.Error), ("$tls", c.Tls), ("$server", c.ServerName), ("$remote", c.Remote),
                    ("$alpn", c.Alpn is null ? null : JsonSerializer.Serialize(c.Alpn)), ("$tls13", c.Tls13), ("$unseen", c.Unseen),
                    ("$binary", c.Binary), ("$program", c.Program), ("$reason", c.Reason), ("$connect", c.ConnectSeq),
                    ("$hello", c.HelloSeq), ("$report", c.UnseenSeq));
            }
        }
        if (_firstNs is { } first)
        {
            SetMeta(db, transaction, "first_event_ns", first.ToString(System.Globalization.CultureInfo.InvariantCulture));
            SetMeta(db, transaction, "last_event_ns", _lastNs!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            SetMeta(db, transaction, "events", _seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        transaction.Commit();
        _pending.Clear();
        _dirty.Clear();
        _dirtyConnections.Clear();
        _batches.Add();
    }

    /// <summary>One snapshot of every stage's and runner's counters, in long form: one row per counter.</summary>
    private void StoreCounters(bool final)
    {
        var snapshot = _context.Metrics.Snapshot();
        var db = _db!;
        _snapshot++;
        _lastCountersTicks = _time.GetTimestamp();
        var taken = (snapshot.TakenAt - DateTimeOffset.UnixEpoch).Ticks * 100;
        using var transaction = db.BeginTransaction();
        using var insert = Command(db, transaction,
            "INSERT OR REPLACE INTO pipeline_counters (snapshot, taken_ns, final, scope, id, plugin, position, kind, state, backpressure, name, value) "
            + "VALUES ($snapshot, $taken, $final, $scope, $id, $plugin, $position, $kind, $state, $policy, $name, $value)");
        foreach (var source in snapshot.Sources)
        {
            foreach (var (name, value) in source.Counters.Prepend(new KeyValuePair<string, long>("produced", source.Produced)))
            {
                Run(insert, ("$snapshot", _snapshot), ("$taken", taken), ("$final", final), ("$scope", "source"), ("$id", source.Name), ("$plugin", null),
                    ("$position", null), ("$kind", null), ("$state", null), ("$policy", null), ("$name", name), ("$value", value));
            }
        }
        foreach (var stage in snapshot.Stages)
        {
            var values = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["in"] = stage.In, ["out"] = stage.Out, ["dropped"] = stage.Dropped, ["failed"] = stage.Failed, ["restarts"] = stage.Restarts,
                ["queue_depth"] = stage.QueueDepth, ["queue_high_water"] = stage.QueueHighWater, ["queue_capacity"] = stage.QueueCapacity,
                ["time_spent_us"] = (long)stage.TimeSpent.TotalMicroseconds,
            };
            foreach (var (name, value) in stage.Counters)
            {
                // A plugin's own counter named like a host one would collide on the key: keep both.
                values[values.ContainsKey(name) ? "counter." + name : name] = value;
            }
            foreach (var (name, value) in values)
            {
                Run(insert, ("$snapshot", _snapshot), ("$taken", taken), ("$final", final), ("$scope", "stage"), ("$id", stage.Id),
                    ("$plugin", stage.Plugin), ("$position", stage.Position), ("$kind", stage.Kind == PluginKind.Analyzer ? "analyzer" : "sink"),
                    ("$state", stage.State.ToString().ToLowerInvariant()), ("$policy", stage.Backpressure), ("$name", name), ("$value", value));
            }
        }
        transaction.Commit();
    }

    private static SqliteCommand Command(SqliteConnection db, SqliteTransaction transaction, string sql)
    {
        var command = db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Run(SqliteCommand command, params (string Name, object? Value)[] values)
    {
        command.Parameters.Clear();
        foreach (var (name, value) in values)
        {
            command.Parameters.AddWithValue(name, value switch
            {
                null => DBNull.Value,
                bool b => b ? 1 : 0,
                _ => value,
            });
        }
        command.ExecuteNonQuery();
    }

    private static void SetMeta(SqliteConnection db, SqliteTransaction transaction, string key, string value)
    {
        using var command = Command(db, transaction, "INSERT OR REPLACE INTO meta (key, value) VALUES ($key, $value)");
        Run(command, ("$key", key), ("$value", value));
    }

    private static void Execute(SqliteConnection db, string sql, SqliteTransaction? transaction = null)
    {
        using var command = db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>An event waiting for the next batch, with what was read from it.</summary>
    private sealed record PendingEvent(long Seq, long Timestamp, string Source, int Pid, int Tid, string Comm, string Json)
    {
        public int? ProcessId { get; set; }

        public FileOpen? File { get; set; }

        public HttpExchange? Http { get; set; }

        public LlmCall? Call { get; set; }
    }
}
