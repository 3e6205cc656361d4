using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.Model;
using AgentSight.Plugins.Common.Storage;
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
/// <para>What the session is (its file, numbering, rows, unwritten events) lives in a <see cref="StoredSession"/>
/// that outlives this instance: an instance the host starts again after a failure reopens the same database and goes
/// on. A write that fails (a full disk) rolls its transaction back and keeps the events; it is tried again on a
/// <see cref="RetrySchedule"/> by a timer, holding at most <c>max_held_mb</c> (newer events are dropped and counted,
/// <c>events_dropped</c>). What cannot be stored by the end is counted, leaves <c>meta.complete</c> false, and makes
/// <see cref="StopAsync"/> fail.</para>
/// <para>The database and its <c>-wal</c>, <c>-shm</c> and <c>-journal</c> files are checked and created through
/// <see cref="OwnedFile"/> before SQLite opens them by name: never through a link, nor into a file, another user
/// planted.</para>
/// <para>The lock (the session's) is for the timers, which run on their own threads; the host's calls never overlap.</para>
/// </remarks>
internal sealed class SessionStoreSink : ISink, IDisposable
{
    /// <summary>Counter of batches written.</summary>
    public const string BatchesCounter = "batches";

    /// <summary>Counter of attempts to write again after a failed write (each one, whether it worked or not).</summary>
    public const string WriteRetriesCounter = "write_retries";

    /// <summary>Counter of events never stored: dropped past <c>max_held_mb</c> while writing failed, or unwritten at the end.</summary>
    public const string EventsDroppedCounter = "events_dropped";

    private static readonly string[] Companions = ["-wal", "-shm", "-journal"];

    private readonly SessionStoreConfig _config;
    private readonly IStageContext _context;
    private readonly TimeProvider _time;
    private readonly StoredSession _session;
    private readonly Counter _batches;
    private readonly Counter _writeRetries;
    private readonly Counter _eventsDropped;
    private SqliteConnection? _db;
    // The batch and counter statements, prepared once per connection (PreparedInsert says why).
    private readonly Dictionary<string, PreparedInsert> _statements = new(StringComparer.Ordinal);
    private ITimer? _timer;
    private ITimer? _retryTimer;
    private long _lastCountersTicks;
    private Exception? _timerFailure;
    private bool _failed;
    private bool _stopped;

    /// <param name="session">The session a failed instance was storing (a restart), or null for a new one.</param>
    internal SessionStoreSink(SessionStoreConfig config, IStageContext context, TimeProvider time, StoredSession? session = null)
    {
        _config = config;
        _context = context;
        _time = time;
        _session = session ?? new StoredSession(time);
        _batches = context.Counter(BatchesCounter);
        _writeRetries = context.Counter(WriteRetriesCounter);
        _eventsDropped = context.Counter(EventsDroppedCounter);
    }

    /// <summary>The database file, once started.</summary>
    internal string Path => _session.Path;

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken cancellationToken)
    {
        lock (_session.Gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_db is not null)
            {
                return ValueTask.CompletedTask;
            }
            if (_session.Created)
            {
                _db = Reopen();
                _context.Logger.LogInformation("Restarted: storing the session on in {Path} after event {Seq} ({Pending} events waiting)",
                    _session.Path, _session.Seq - _session.Pending.Count, _session.Pending.Count);
            }
            else
            {
                _session.Path = _config.ResolvePath(_time.GetLocalNow());
                _db = Create();
                _session.Created = true;
                _context.Logger.LogInformation("Storing the session in {Path}", _session.Path);
            }
            _lastCountersTicks = _time.GetTimestamp();
            var interval = TimeSpan.FromMilliseconds(_config.FlushIntervalMs);
            _timer = _time.CreateTimer(static state => ((SessionStoreSink)state!).OnTimer(retry: false), this, interval, interval);
            _retryTimer = _time.CreateTimer(static state => ((SessionStoreSink)state!).OnTimer(retry: true), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            if (_session.Retry.Failing)
            {
                _retryTimer.Change(_session.Retry.Wait, Timeout.InfiniteTimeSpan);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>A new database: refused when the name is taken (unless <c>overwrite</c>) or unsafe; created with its companions.</summary>
    private SqliteConnection Create()
    {
        var path = _session.Path;
        if (Directory.Exists(path))
        {
            throw new IOException($"the session store cannot write to {path}: it is a directory");
        }
        var directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        var exists = Check(path);
        var leftovers = Companions.Where(suffix => Check(path + suffix)).ToList();
        if (exists && !_config.Overwrite)
        {
            throw new IOException($"the session store will not overwrite {path}: it holds another session (give another path, e.g. --set session-store.path=new.db, or set overwrite)");
        }
        // A file (or companions without their database) of ours that may go: unlink acts on names, never through links.
        foreach (var suffix in leftovers.Prepend(""))
        {
            File.Delete(path + suffix);
        }
        // Created here, for their owner only (they hold decrypted traffic) and refusing anything planted at their names
        // meanwhile (O_EXCL): SQLite opens them by name, and then finds ours.
        foreach (var suffix in Companions.Prepend(""))
        {
            CreateEmpty(path + suffix);
        }
        var db = Connect(path);
        Execute(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        using var transaction = db.BeginTransaction();
        Execute(db, Schema.Create, transaction);
        SetMeta(db, transaction, "schema_version", Schema.Version.ToString(CultureInfo.InvariantCulture));
        SetMeta(db, transaction, "schema_minor", Schema.Minor.ToString(CultureInfo.InvariantCulture));
        SetMeta(db, transaction, "created_at", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        SetMeta(db, transaction, "command_line", string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
        SetMeta(db, transaction, "tool_version", Assembly.GetEntryAssembly()?.GetName().Version?.ToString() ?? "");
        SetMeta(db, transaction, "stage_id", _context.StageId);
        SetMeta(db, transaction, "session_id", _session.Id);
        SetMeta(db, transaction, "complete", "false");
        transaction.Commit();
        return db;
    }

    /// <summary>The session's own database again, after a restart: checked as at creation, and proven ours by its id.</summary>
    private SqliteConnection Reopen()
    {
        var path = _session.Path;
        if (!Check(path))
        {
            throw new IOException($"the session store cannot go on with {path}: the file is gone");
        }
        foreach (var suffix in Companions)
        {
            // Missing ones are created here, so SQLite finds ours and not something planted since the last close.
            if (!Check(path + suffix) && suffix != "-journal")
            {
                CreateEmpty(path + suffix);
            }
        }
        var db = Connect(path);
        try
        {
            var meta = ReadMeta(db);
            if (meta.GetValueOrDefault("session_id") != _session.Id)
            {
                throw new IOException($"the session store cannot go on with {path}: it holds another session now (the file was replaced)");
            }
            if (meta.GetValueOrDefault("complete") != "false")
            {
                // The failed instance closed it as if the session had ended; it has not.
                using var transaction = db.BeginTransaction();
                SetMeta(db, transaction, "complete", "false");
                transaction.Commit();
            }
        }
        catch
        {
            db.Dispose();
            throw;
        }
        return db;
    }

    private static SqliteConnection Connect(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        db.Open();
        return db;
    }

    /// <summary><see cref="OwnedFile.CheckNamed"/>, its refusal said as the session store's.</summary>
    private static bool Check(string path)
    {
        try
        {
            return OwnedFile.CheckNamed(path);
        }
        catch (UnsafePathException ex)
        {
            throw new IOException($"the session store will not use {path}: {ex.Message}", ex);
        }
    }

    private static void CreateEmpty(string path)
    {
        try
        {
            OwnedFile.CreateEmpty(path);
        }
        catch (IOException ex)
        {
            throw new IOException($"the session store cannot create {path}: {ex.Message}", ex);
        }
    }

    private static Dictionary<string, string> ReadMeta(SqliteConnection db)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        using var command = db.CreateCommand();
        command.CommandText = "SELECT key, value FROM meta";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            meta[reader.GetString(0)] = reader.IsDBNull(1) ? string.Empty : reader.GetString(1);
        }
        return meta;
    }

    /// <inheritdoc />
    public void Write(ReadOnlyEvent evt)
    {
        lock (_session.Gate)
        {
            try
            {
                WriteCore(evt);
            }
            catch
            {
                // The host stops this instance and starts another on the same session: this one must not mark it ended.
                _failed = true;
                throw;
            }
        }
    }

    private void WriteCore(ReadOnlyEvent evt)
    {
        if (_timerFailure is { } failure)
        {
            _timerFailure = null;
            throw new IOException($"the session store could not write to {_session.Path}: {failure.Message}", failure);
        }
        if (_db is null)
        {
            throw new InvalidOperationException(_stopped ? "The session store was stopped." : "The session store was not started.");
        }
        var s = _session;
        var shared = evt.JsonLine;
        var line = shared.Span;
        if (s.Retry.Failing && s.PendingBytes + line.Length > _config.MaxHeldBytes)
        {
            Drop(1);
            if (!s.DropLogged)
            {
                s.DropLogged = true;
                _context.Logger.LogError("{Events} events ({Bytes} bytes) are waiting for {Path}, which cannot be written ({Error}); newer events are dropped until it can (counted as {Counter})",
                    s.Pending.Count, s.PendingBytes, s.Path, s.LastError, EventsDroppedCounter);
            }
            return;
        }
        var pending = new PendingEvent(++s.Seq, evt.Timestamp, evt.Source, evt.Pid, evt.Tid, evt.Comm, shared[..^1]) { Size = line.Length };
        s.FirstNs ??= evt.Timestamp;
        s.LastNs = evt.Timestamp;
        var kind = ProcessTracker.KindOf(evt);
        var process = s.Processes.Apply(evt, kind, out var created);
        // Process events change a row; a process seen only through its traffic still gets one, once.
        if (process is not null && (created || evt.Source == EventSources.Process))
        {
            s.DirtyProcesses.Add(process);
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
                    s.Exchanges.Add(exchange);
                }
                break;
            case "llm":
                var call = LlmCall.Read(evt);
                if (call.ExchangeId is { } id && s.Exchanges.TryGet(id, out var x))
                {
                    call.AlignWith(x);
                }
                pending.Call = call;
                break;
            case EventSources.Network:
                // A connection's row grows with its connect, hello and report: written (again) with the batch.
                if (NetworkEvent.Read(evt) is { } network && s.Network.Apply(network, process?.Id ?? 0, pending.Seq) is { } connection)
                {
                    s.DirtyConnections.Add(connection);
                }
                break;
        }
        s.Pending.Add(pending);
        s.PendingBytes += line.Length;
        if (s.Pending.Count >= _config.BatchSize && !s.Retry.Failing)
        {
            TryWriteAll();
        }
    }

    /// <inheritdoc />
    /// <remarks>The queue runs dry after nearly every event of a live session: the timer bounds the wait instead of a transaction per event.</remarks>
    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    /// <remarks>Throws when events could not be stored (counted in <c>events_dropped</c>), after closing.</remarks>
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
            _context.Logger.LogError(ex, "The last events could not be written to {Path}", _session.Path);
        }
    }

    private void Close()
    {
        lock (_session.Gate)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            _timer?.Dispose();
            _retryTimer?.Dispose();
            if (_db is null)
            {
                return;
            }
            try
            {
                if (_failed)
                {
                    // Stopped by the host after a failure: the instance it starts next goes on with the session.
                    if (TryWriteAll())
                    {
                        _context.Logger.LogDebug("Stopped after a failure with every event of {Path} written", _session.Path);
                    }
                    return;
                }
                var s = _session;
                // One last attempt, failing or not: space may have come back since the last retry.
                var stored = TryWriteAll() && Try(() => StoreCounters(final: true));
                if (!stored)
                {
                    Drop(s.Pending.Count);
                    s.Pending.Clear();
                    s.PendingBytes = 0;
                }
                else if (Try(() => MarkComplete(_db)))
                {
                    // Folds the WAL into the main file, so the session is one file again once it ends.
                    if (!Try(() => Execute(_db, "PRAGMA wal_checkpoint(TRUNCATE);")))
                    {
                        _context.Logger.LogWarning("{Path} is stored, but its WAL could not be folded into it ({Error}): keep {Path}-wal with it", s.Path, s.LastError, s.Path);
                    }
                    _context.Logger.LogInformation("Session stored in {Path} ({Events} events)", s.Path, s.Seq);
                }
                if (s.Lost > 0)
                {
                    throw new IOException($"the session store could not store {s.Lost} events in {s.Path} ({s.LastError}): they are missing from it (counted as {EventsDroppedCounter})"
                        + (stored ? "" : "; the session is marked incomplete"));
                }
            }
            finally
            {
                DisposeStatements();
                _db.Dispose();
                _db = null;
            }
        }
    }

    private void MarkComplete(SqliteConnection db)
    {
        using var transaction = db.BeginTransaction();
        // A complete session has its indexes (Schema.GrowingTableIndexes says why they wait until now).
        Execute(db, Schema.GrowingTableIndexes, transaction);
        SetMeta(db, transaction, "complete", "true");
        SetMeta(db, transaction, "ended_at", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        transaction.Commit();
    }

    private void OnTimer(bool retry)
    {
        lock (_session.Gate)
        {
            if (_db is null || _timerFailure is not null || _stopped || retry != _session.Retry.Failing)
            {
                // The flush timer waits while writing fails; the retry timer has nothing to do once it works again.
                return;
            }
            try
            {
                if (retry)
                {
                    _writeRetries.Add();
                }
                if (TryWriteAll() && _time.GetElapsedTime(_lastCountersTicks) >= TimeSpan.FromMilliseconds(_config.CountersIntervalMs))
                {
                    Try(() => StoreCounters(final: false));
                }
            }
            catch (Exception ex)
            {
                // A timer thread has no caller to tell: the next Write rethrows, and the host handles it there.
                _timerFailure = ex;
            }
        }
    }

    /// <summary>
    /// Writes every waiting event, a batch per transaction. False when a write failed (a full disk): its transaction
    /// was rolled back, the events still wait, and a retry is timed.
    /// </summary>
    private bool TryWriteAll()
    {
        do
        {
            if (!Try(WriteBatch))
            {
                return false;
            }
        }
        while (_session.Pending.Count > 0);
        return true;
    }

    /// <summary>Runs a write; a database or I/O error is a failed write (see <see cref="TryWriteAll"/>), anything else is thrown.</summary>
    private bool Try(Action write)
    {
        var s = _session;
        try
        {
            write();
        }
        catch (Exception ex) when (ex is SqliteException or IOException)
        {
            var first = !s.Retry.Failing;
            s.LastError = ex.Message;
            var wait = s.Retry.Failed();
            if (first)
            {
                _context.Logger.LogError(ex, "Cannot write to {Path} ({Error}); retrying every {First} ms at first, then up to every {Longest} s. Events are held meanwhile (up to {Held} MB, then dropped and counted as {Counter})",
                    s.Path, ex.Message, RetrySchedule.First.TotalMilliseconds, RetrySchedule.Longest.TotalSeconds, _config.MaxHeldMb, EventsDroppedCounter);
            }
            if (!_stopped)
            {
                _retryTimer?.Change(wait, Timeout.InfiniteTimeSpan);
            }
            return false;
        }
        if (s.Retry.Failing)
        {
            _context.Logger.LogInformation("Writing to {Path} again after {Seconds:0.0} s of failures and {Retries} retries; the events held meanwhile are stored",
                s.Path, s.Retry.FailingFor.TotalSeconds, _writeRetries.Value);
            s.Retry.Succeeded();
            s.DropLogged = false;
        }
        return true;
    }

    private void Drop(long events)
    {
        _eventsDropped.Add(events);
        _session.Lost += events;
    }

    /// <summary>Writes up to <c>batch_size</c> waiting events, and the rows they changed, in one transaction.</summary>
    private void WriteBatch()
    {
        var s = _session;
        if (s.Pending.Count == 0 && s.DirtyProcesses.Count == 0 && s.DirtyConnections.Count == 0)
        {
            return;
        }
        var count = Math.Min(s.Pending.Count, _config.BatchSize);
        var batch = s.Pending.GetRange(0, count);
        var db = _db!;
        using var transaction = db.BeginTransaction();
        var events = Statement("INSERT INTO events (seq, timestamp, source, pid, tid, comm, json) VALUES ($seq, $ts, $source, $pid, $tid, $comm, $json)");
        var files = Statement("INSERT INTO files (event_seq, timestamp, process_id, pid, comm, path, flags, mode, access, writes, fd, error, errno) "
            + "VALUES ($seq, $ts, $process, $pid, $comm, $path, $flags, $mode, $access, $writes, $fd, $error, $errno)");
        var http = Statement("INSERT OR IGNORE INTO http_exchanges (exchange_id, event_seq, timestamp, pid, comm, method, host, path, status, duration_ms, ttfb_ms, "
            + "request_start_ns, response_end_ns, complete, end_reason, request_body_size, response_body_size, streamed) VALUES ($id, $seq, $ts, $pid, "
            + "$comm, $method, $host, $path, $status, $duration, $ttfb, $start, $end, $complete, $reason, $reqsize, $respsize, $streamed)");
        var llm = Statement("INSERT INTO llm_calls (event_seq, timestamp, start_ns, end_ns, pid, comm, exchange_id, provider, operation, model, request_model, "
            + "response_model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, duration_ms, ttft_ms, "
            + "ttfc_ms, status_code, error_type, streaming, complete, truncated, server_address, url_path, finish_reasons) VALUES ($seq, $ts, "
            + "$start, $end, $pid, $comm, $exchange, $provider, $operation, $model, $rmodel, $smodel, $in, $out, $cread, $ccreate, $reason, "
            + "$duration, $ttft, $ttfc, $status, $error, $streaming, $complete, $truncated, $server, $path, $finish)");
        foreach (var e in batch)
        {
            events.Run(("$seq", e.Seq), ("$ts", e.Timestamp), ("$source", e.Source), ("$pid", e.Pid), ("$tid", e.Tid), ("$comm", e.Comm), ("$json", e.Json));
            if (e.File is { } f)
            {
                files.Run(("$seq", e.Seq), ("$ts", f.Timestamp), ("$process", e.ProcessId), ("$pid", f.Pid), ("$comm", f.Comm), ("$path", f.Path),
                    ("$flags", f.Flags), ("$mode", f.Mode), ("$access", f.Access), ("$writes", f.Writes), ("$fd", f.Fd), ("$error", f.Error), ("$errno", f.Errno));
            }
            if (e.Http is { } x)
            {
                http.Run(("$id", x.ExchangeId), ("$seq", e.Seq), ("$ts", x.Timestamp), ("$pid", x.Pid), ("$comm", x.Comm), ("$method", x.Method),
                    ("$host", x.Host), ("$path", x.Path), ("$status", x.Status), ("$duration", x.DurationMs), ("$ttfb", x.TtfbMs),
                    ("$start", x.RequestStartNs), ("$end", x.ResponseEndNs), ("$complete", x.Complete), ("$reason", x.EndReason),
                    ("$reqsize", x.RequestBodySize), ("$respsize", x.ResponseBodySize), ("$streamed", x.Streamed));
            }
            if (e.Call is { } c)
            {
                llm.Run(("$seq", e.Seq), ("$ts", c.Timestamp), ("$start", c.StartNs), ("$end", c.EndNs), ("$pid", c.Pid), ("$comm", c.Comm),
                    ("$exchange", c.ExchangeId), ("$provider", c.Provider), ("$operation", c.Operation), ("$model", c.Model),
                    ("$rmodel", c.RequestModel), ("$smodel", c.ResponseModel), ("$in", c.InputTokens), ("$out", c.OutputTokens),
                    ("$cread", c.CacheReadTokens), ("$ccreate", c.CacheCreationTokens), ("$reason", c.ReasoningTokens), ("$duration", c.DurationMs),
                    ("$ttft", c.TimeToFirstTokenMs), ("$ttfc", c.TimeToFirstChunkMs), ("$status", c.StatusCode), ("$error", c.ErrorType),
                    ("$streaming", c.Streaming), ("$complete", c.Complete), ("$truncated", c.Truncated), ("$server", c.ServerAddress),
                    ("$path", c.UrlPath), ("$finish", c.FinishReasons is null ? null : JsonSerializer.Serialize(c.FinishReasons)));
            }
        }
        if (s.DirtyProcesses.Count > 0)
        {
            var processes = Statement("INSERT OR REPLACE INTO processes (id, pid, ppid, parent_id, comm, filename, argv, start_ns, start_known, exec_ns, end_ns, last_seen_ns, "
                + "exit_code, signal, core_dumped, duration_ms, container_id, container_runtime, pod_uid) VALUES ($id, $pid, $ppid, $parent, $comm, "
                + "$filename, $argv, $start, $known, $exec, $end, $last, $exit, $signal, $core, $duration, $container, $runtime, $pod)");
            foreach (var p in s.DirtyProcesses)
            {
                processes.Run(("$id", p.Id), ("$pid", p.Pid), ("$ppid", p.Ppid), ("$parent", p.Parent?.Id), ("$comm", p.Comm), ("$filename", p.Filename),
                    ("$argv", p.Argv is null ? null : JsonSerializer.Serialize(p.Argv)), ("$start", p.StartNs), ("$known", p.StartKnown),
                    ("$exec", p.ExecNs), ("$end", p.EndNs), ("$last", p.LastSeenNs), ("$exit", p.ExitCode), ("$signal", p.Signal),
                    ("$core", p.CoreDumped), ("$duration", p.DurationMs), ("$container", p.ContainerId), ("$runtime", p.ContainerRuntime),
                    ("$pod", p.PodUid));
            }
        }
        if (s.DirtyConnections.Count > 0)
        {
            var connections = Statement("INSERT OR REPLACE INTO connections (id, first_seq, start_ns, last_ns, process_id, pid, comm, fd, host, family, address, port, path, "
                + "result, error, tls, server_name, remote, alpn, tls13, unseen, binary, program, reason, connect_seq, hello_seq, unseen_seq) VALUES "
                + "($id, $first, $start, $last, $process, $pid, $comm, $fd, $host, $family, $address, $port, $path, $result, $error, $tls, $server, "
                + "$remote, $alpn, $tls13, $unseen, $binary, $program, $reason, $connect, $hello, $report)");
            foreach (var c in s.DirtyConnections)
            {
                connections.Run(("$id", c.Id), ("$first", c.FirstSeq), ("$start", c.StartNs), ("$last", c.LastNs),
                    ("$process", c.ProcessId == 0 ? null : c.ProcessId), ("$pid", c.Pid), ("$comm", c.Comm), ("$fd", c.Fd), ("$host", c.Host),
                    ("$family", c.Family), ("$address", c.Address), ("$port", c.Port), ("$path", c.Path), ("$result", c.Result),
                    ("$error", c.Error), ("$tls", c.Tls), ("$server", c.ServerName), ("$remote", c.Remote),
                    ("$alpn", c.Alpn is null ? null : JsonSerializer.Serialize(c.Alpn)), ("$tls13", c.Tls13), ("$unseen", c.Unseen),
                    ("$binary", c.Binary), ("$program", c.Program), ("$reason", c.Reason), ("$connect", c.ConnectSeq),
                    ("$hello", c.HelloSeq), ("$report", c.UnseenSeq));
            }
        }
        if (s.FirstNs is { } first)
        {
            var meta = Statement(SetMetaSql);
            meta.Run(("$key", "first_event_ns"), ("$value", first.ToString(CultureInfo.InvariantCulture)));
            meta.Run(("$key", "last_event_ns"), ("$value", s.LastNs!.Value.ToString(CultureInfo.InvariantCulture)));
            meta.Run(("$key", "events"), ("$value", (batch.Count > 0 ? batch[^1].Seq : s.Seq - s.Pending.Count).ToString(CultureInfo.InvariantCulture)));
        }
        transaction.Commit();
        s.Pending.RemoveRange(0, count);
        s.PendingBytes -= batch.Sum(e => (long)e.Size);
        s.DirtyProcesses.Clear();
        s.DirtyConnections.Clear();
        _batches.Add();
    }

    /// <summary>One snapshot of every stage's and runner's counters, in long form: one row per counter.</summary>
    private void StoreCounters(bool final)
    {
        var snapshot = _context.Metrics.Snapshot();
        var db = _db!;
        var number = _session.Snapshot + 1;
        _lastCountersTicks = _time.GetTimestamp();
        var taken = (snapshot.TakenAt - DateTimeOffset.UnixEpoch).Ticks * 100;
        using var transaction = db.BeginTransaction();
        var insert = Statement("INSERT OR REPLACE INTO pipeline_counters (snapshot, taken_ns, final, scope, id, plugin, position, kind, state, backpressure, name, value) "
            + "VALUES ($snapshot, $taken, $final, $scope, $id, $plugin, $position, $kind, $state, $policy, $name, $value)");
        foreach (var source in snapshot.Sources)
        {
            foreach (var (name, value) in source.Counters.Prepend(new KeyValuePair<string, long>("produced", source.Produced)))
            {
                insert.Run(("$snapshot", number), ("$taken", taken), ("$final", final), ("$scope", "source"), ("$id", source.Name), ("$plugin", null),
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
                insert.Run(("$snapshot", number), ("$taken", taken), ("$final", final), ("$scope", "stage"), ("$id", stage.Id),
                    ("$plugin", stage.Plugin), ("$position", stage.Position), ("$kind", stage.Kind == PluginKind.Analyzer ? "analyzer" : "sink"),
                    ("$state", stage.State.ToString().ToLowerInvariant()), ("$policy", stage.Backpressure), ("$name", name), ("$value", value));
            }
        }
        transaction.Commit();
        _session.Snapshot = number;
    }

    private static SqliteCommand Command(SqliteConnection db, SqliteTransaction transaction, string sql)
    {
        var command = db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private PreparedInsert Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            statement = new PreparedInsert(_db!, sql);
            _statements[sql] = statement;
        }
        return statement;
    }

    private void DisposeStatements()
    {
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }
        _statements.Clear();
    }

    /// <summary>Runs <paramref name="command"/> with these values; its parameters are made on the first run, then reused in the same order.</summary>
    private static void Run(SqliteCommand command, params ReadOnlySpan<(string Name, object? Value)> values)
    {
        var parameters = command.Parameters;
        if (parameters.Count == 0)
        {
            foreach (var (name, _) in values)
            {
                parameters.Add(new SqliteParameter { ParameterName = name });
            }
        }
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = parameters[i];
            if (!string.Equals(parameter.ParameterName, values[i].Name, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"parameter {i} is {parameter.ParameterName}, not {values[i].Name}: give the values in the statement's order");
            }
            parameter.Value = values[i].Value switch
            {
                null => DBNull.Value,
                bool b => b ? 1 : 0,
                var value => value,
            };
        }
        command.ExecuteNonQuery();
    }

    private const string SetMetaSql = "INSERT OR REPLACE INTO meta (key, value) VALUES ($key, $value)";

    private static void SetMeta(SqliteConnection db, SqliteTransaction transaction, string key, string value)
    {
        using var command = Command(db, transaction, SetMetaSql);
        Run(command, ("$key", key), ("$value", value));
    }

    private static void Execute(SqliteConnection db, string sql, SqliteTransaction? transaction = null)
    {
        using var command = db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
