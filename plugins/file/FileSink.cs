using System.Runtime.ExceptionServices;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace AgentSight.Plugins.File;

/// <summary>Writes each event as one NDJSON line to a file, rotating it by size without ever splitting a line.</summary>
/// <remarks>
/// <para>Lines collect in a <see cref="LineQueue"/> that is handed to the operating system in whole lines, when the
/// flush policy says so or when a block is full. Rotation happens before a line that would take the file over the
/// limit, so every file stays within it unless it holds a single longer line.</para>
/// <para>A write that fails (a full disk, a quota, an I/O error) is not the end: the file is cut back to its last
/// whole line, so no reader (and no later run) ever sees half a line, and the lines stay queued. Writing is tried
/// again on a <see cref="RetrySchedule"/> (50 ms doubling to 5 s) by a timer, so a quiet session recovers too, and
/// everything held is written as soon as space returns. While it fails, at most <c>max_held_mb</c> wait; newer
/// events are dropped and counted (<c>events_dropped</c>). Whatever could not be written by the end is counted too,
/// and makes <see cref="StopAsync"/> fail, so the run says it lost events.</para>
/// <para>The file is opened through <see cref="OwnedFile"/>: never through a link another user planted. The lock is
/// there for the timers, which run on their own threads; the host's calls never overlap.</para>
/// </remarks>
internal sealed class FileSink : ISink, IDisposable
{
    /// <summary>Counter of completed rotations.</summary>
    public const string RotationsCounter = "rotations";

    /// <summary>Counter of rotations that could not rename the files (the sink kept writing to the current one).</summary>
    public const string RotationFailuresCounter = "rotation_failures";

    /// <summary>Counter of attempts to write again after a failed write (each one, whether it worked or not).</summary>
    public const string WriteRetriesCounter = "write_retries";

    /// <summary>Counter of events never written: dropped past <c>max_held_mb</c> while writing failed, or still unwritten at the end.</summary>
    public const string EventsDroppedCounter = "events_dropped";

    private readonly string _configuredPath;
    private readonly bool _append;
    private readonly bool _restarted;
    private readonly long _maxBytes;
    private readonly int _maxFiles;
    private readonly long _maxHeld;
    private readonly FileFlushPolicy _flush;
    private readonly TimeSpan _flushInterval;
    private readonly bool _fsync;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Counter _rotations;
    private readonly Counter _rotationFailures;
    private readonly Counter _writeRetries;
    private readonly Counter _eventsDropped;
    private readonly RetrySchedule _retry;
    private readonly LineQueue _queue = new();
    private readonly Lock _gate = new();

    private string _path = string.Empty;
    private SafeFileHandle? _file;
    private bool _regular;

    /// <summary>Where the next block goes: the file's length up to its last whole line that is known written.</summary>
    private long _offset;

    /// <summary>True when bytes were handed to the operating system since the last fsync.</summary>
    private bool _unsynced;

    /// <summary>The size the file that receives the newest line will have once the queue is written.</summary>
    private long _size;

    /// <summary>The size above which the next line rotates: the limit, or more after a failed rotation.</summary>
    private long _rotateAbove;

    /// <summary>What the last failed write said, for the messages that follow.</summary>
    private string _lastError = string.Empty;

    /// <summary>Events this instance could not write (dropped past the bound, or left at the end).</summary>
    private long _lost;

    /// <summary>True once this failure episode's first drop was logged.</summary>
    private bool _dropLogged;

    private ITimer? _flushTimer;
    private ITimer? _retryTimer;
    private ExceptionDispatchInfo? _timerFailure;
    private bool _stopped;

    /// <summary>Creates the sink; nothing is opened before <see cref="StartAsync"/>.</summary>
    /// <param name="restarted">
    /// The host replaces a failed instance with a fresh one: that one appends whatever <c>append</c> says, so a
    /// restart never empties the file the run has been writing.
    /// </param>
    internal FileSink(FileSinkConfig config, IStageContext context, TimeProvider time, bool restarted = false)
    {
        _configuredPath = config.Path;
        _restarted = restarted;
        _append = config.Append || restarted;
        _maxBytes = config.MaxSizeBytes;
        _maxFiles = config.MaxFiles;
        _maxHeld = config.MaxHeldBytes;
        _flush = config.Flush;
        _flushInterval = TimeSpan.FromMilliseconds(config.FlushIntervalMs);
        _fsync = config.Fsync;
        _logger = context.Logger;
        _time = time;
        _rotations = context.Counter(RotationsCounter);
        _rotationFailures = context.Counter(RotationFailuresCounter);
        _writeRetries = context.Counter(WriteRetriesCounter);
        _eventsDropped = context.Counter(EventsDroppedCounter);
        _retry = new RetrySchedule(time);
        _rotateAbove = _maxBytes;
    }

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_file is not null)
            {
                return ValueTask.CompletedTask;
            }
            _path = System.IO.Path.GetFullPath(_configuredPath);
            var (file, endsMidLine) = OpenAtStart();
            _file = file;
            _offset = _regular ? RandomAccess.GetLength(file) : 0;
            _size = _offset;
            if (_restarted)
            {
                _logger.LogInformation("Restarted: appending events to {Path} ({Size} bytes already there)", _path, _size);
            }
            else if (_append)
            {
                _logger.LogInformation("Appending events to {Path} ({Size} bytes already there)", _path, _size);
            }
            else
            {
                _logger.LogInformation("Writing events to {Path} (emptied at start)", _path);
            }
            if (endsMidLine)
            {
                // A writer before us stopped mid-line; our first event must not be glued to its fragment.
                Enqueue("\n"u8, events: 0);
                _logger.LogWarning("{Path} did not end with a line feed (its last writer stopped mid-line); one was added so events start on a line of their own", _path);
            }
            if (_flush == FileFlushPolicy.Interval)
            {
                _flushTimer = _time.CreateTimer(static state => ((FileSink)state!).OnTimer(retry: false), this, _flushInterval, _flushInterval);
            }
            _retryTimer = _time.CreateTimer(static state => ((FileSink)state!).OnTimer(retry: true), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Write(ReadOnlyEvent evt)
    {
        lock (_gate)
        {
            ThrowIfNotWritable();
            var line = evt.JsonLine.Span;
            if (_regular && _maxBytes > 0 && _size > 0 && _size + line.Length > _rotateAbove)
            {
                // Decided now, done when the lines before it are written: held lines keep to their file.
                _queue.MarkRotation();
                _size = 0;
            }
            Enqueue(line, events: 1);
            if (!_retry.Failing && (_flush == FileFlushPolicy.EveryEvent || _queue.HasFullBlock))
            {
                WriteOut();
            }
        }
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _timerFailure?.Throw();
            // Under `interval` only the timer writes out, which is what bounds the rate; under `every_event`
            // this finds nothing left to do. While writing fails, only the retry timer tries again.
            if (_file is not null && _flush != FileFlushPolicy.Interval && !_retry.Failing)
            {
                WriteOut();
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>Throws when events could not be written (they are counted in <c>events_dropped</c>), after closing.</remarks>
    public ValueTask StopAsync(CancellationToken cancellationToken)
    {
        Close();
        return ValueTask.CompletedTask;
    }

    /// <summary>Stops like <see cref="StopAsync"/>, logging rather than throwing when the last lines cannot be written.</summary>
    public void Dispose()
    {
        try
        {
            Close();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogError(ex, "The last events could not be written to {Path}", _path);
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
            _flushTimer?.Dispose();
            _flushTimer = null;
            _retryTimer?.Dispose();
            _retryTimer = null;
            if (_file is null)
            {
                return;
            }
            try
            {
                // One last attempt, failing or not: space may have come back since the last retry.
                if (!WriteOut() && _queue.Events > 0)
                {
                    Drop(_queue.Events);
                }
                if (_lost > 0)
                {
                    throw new IOException($"The file sink could not write {_lost} events to {_path} ({_lastError}): they are missing from it (counted as {EventsDroppedCounter})");
                }
            }
            finally
            {
                _file.Dispose();
                _file = null;
            }
        }
    }

    private void ThrowIfNotWritable()
    {
        _timerFailure?.Throw();
        if (_file is null)
        {
            throw new InvalidOperationException(_stopped ? "The file sink was stopped." : "The file sink was not started.");
        }
    }

    /// <summary>Queues a line, or drops it when writing fails and the queue already holds <c>max_held_mb</c>.</summary>
    private void Enqueue(ReadOnlySpan<byte> line, int events)
    {
        if (_retry.Failing && _queue.Bytes + line.Length > _maxHeld)
        {
            Drop(events);
            if (!_dropLogged)
            {
                _dropLogged = true;
                _logger.LogError("{Held} bytes of events are waiting for {Path}, which cannot be written ({Error}); newer events are dropped until it can (counted as {Counter})",
                    _queue.Bytes, _path, _lastError, EventsDroppedCounter);
            }
            return;
        }
        _queue.Add(line, events);
        _size += line.Length;
    }

    private void Drop(int events)
    {
        _eventsDropped.Add(events);
        _lost += events;
    }

    /// <summary>
    /// Writes the queue out, rotating at its marks, and forces it to disk when <c>fsync</c> is on. Returns false when a
    /// write failed: the file was cut back to its last whole line, the lines are still queued, and a retry is timed.
    /// </summary>
    private bool WriteOut()
    {
        var file = _file!;
        while (_queue.First is { } block)
        {
            if (block.RotateBefore)
            {
                block.RotateBefore = false;
                Rotate();
                file = _file!;
            }
            try
            {
                RandomAccess.Write(file, block.Span, _offset);
            }
            catch (IOException ex)
            {
                OnWriteFailed(ex);
                return false;
            }
            _offset += block.Length;
            _unsynced = true;
            _queue.RemoveFirst();
        }
        if (_fsync && _unsynced)
        {
            try
            {
                RandomAccess.FlushToDisk(file);
            }
            catch (IOException ex)
            {
                OnWriteFailed(ex);
                return false;
            }
            _unsynced = false;
        }
        if (_retry.Failing)
        {
            _logger.LogInformation("Writing to {Path} again after {Seconds:0.0} s of failures and {Retries} retries; the events held meanwhile are written",
                _path, _retry.FailingFor.TotalSeconds, _writeRetries.Value);
            _retry.Succeeded();
            _dropLogged = false;
        }
        return true;
    }

    /// <summary>A write failed: cut the file back to its last whole line and time the next attempt.</summary>
    private void OnWriteFailed(IOException ex)
    {
        if (_regular)
        {
            try
            {
                // What the kernel took of the block before it failed is half a line at the end of the file.
                RandomAccess.SetLength(_file!, _offset);
            }
            catch (IOException cut)
            {
                // The next attempt writes at the same offset, over the fragment; until then a reader may see it.
                _logger.LogWarning(cut, "Could not cut {Path} back to its last whole line", _path);
            }
        }
        var first = !_retry.Failing;
        _lastError = ex.Message;
        var wait = _retry.Failed();
        if (first)
        {
            _logger.LogError(ex, "Cannot write to {Path} ({Error}); retrying every {First} ms at first, then up to every {Longest} s. Events are held meanwhile (up to {Held} MB, then dropped and counted as {Counter})",
                _path, ex.Message, RetrySchedule.First.TotalMilliseconds, RetrySchedule.Longest.TotalSeconds, _maxHeld / (double)FileSinkConfig.BytesPerMegabyte, EventsDroppedCounter);
        }
        if (!_stopped)
        {
            _retryTimer?.Change(wait, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer(bool retry)
    {
        lock (_gate)
        {
            if (_file is null || _timerFailure is not null || _stopped)
            {
                return;
            }
            if (retry != _retry.Failing)
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
                WriteOut();
            }
            catch (Exception ex)
            {
                // A timer thread has no caller to tell: the sink's next call rethrows, and the host handles it there.
                _timerFailure = ExceptionDispatchInfo.Capture(ex);
            }
        }
    }

    /// <summary>
    /// Moves <c>path</c> to <c>path.1</c> (shifting the older backups up, dropping the oldest) and starts a fresh
    /// file. When a rename fails nothing has been lost: the sink keeps writing to the current file.
    /// </summary>
    private void Rotate()
    {
        if (_fsync && _unsynced)
        {
            RandomAccess.FlushToDisk(_file!);
            _unsynced = false;
        }
        var newest = BackupPath(1);
        try
        {
            ShiftBackups();
            // The open file can be renamed: if this fails, it is still ours. Renames never follow links.
            System.IO.File.Move(_path, newest);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _rotationFailures.Add();
            if (!_queue.HasMarkAfterFirst)
            {
                // The lines queued for the fresh file go to this one; not again on every event: the next attempt
                // comes after another limit's worth of lines.
                _size = _offset + _queue.Bytes;
                _rotateAbove = _size + _maxBytes;
            }
            _logger.LogError(ex, "Could not rotate {Path}; events keep going to it and rotation is tried again after {Bytes} more bytes",
                _path, _maxBytes);
            return;
        }

        SafeFileHandle fresh;
        try
        {
            fresh = OwnedFile.Open(_path, OpenIntent.Keep, allowDevices: false, out _);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"The file sink rotated {_path} to {newest} but cannot create a new {_path}: {ex.Message}", ex);
        }
        _file!.Dispose();
        _file = fresh;
        _offset = RandomAccess.GetLength(fresh);
        _unsynced = false;
        if (!_queue.HasMarkAfterFirst)
        {
            _size = _offset + _queue.Bytes;
        }
        _rotateAbove = _maxBytes;
        _rotations.Add();
        _logger.LogDebug("Rotated {Path} to {Backup}", _path, newest);
    }

    /// <summary>Moves <c>path.1 … path.k</c> up by one, dropping <c>path.{max_files}</c> when the run is full.</summary>
    /// <remarks>
    /// Only the run of backups that exists moves, so a rotation costs what is there rather than <c>max_files</c>
    /// look-ups. A name after the run is free by definition; a gap left by an earlier failure closes here.
    /// Moves never overwrite: if a name is taken after all (a directory), rotation stops and nothing is lost.
    /// Renames and deletions act on a name, never on what a link there points to.
    /// </remarks>
    private void ShiftBackups()
    {
        var count = 0;
        while (count < _maxFiles && System.IO.File.Exists(BackupPath(count + 1)))
        {
            count++;
        }
        if (count == _maxFiles)
        {
            System.IO.File.Delete(BackupPath(_maxFiles));
            count--;
        }
        for (var i = count; i >= 1; i--)
        {
            System.IO.File.Move(BackupPath(i), BackupPath(i + 1), overwrite: false);
        }
    }

    private string BackupPath(int index) => $"{_path}.{index}";

    /// <summary>Opens the file as configured; the flag says the existing content ends without a line feed.</summary>
    private (SafeFileHandle File, bool EndsMidLine) OpenAtStart()
    {
        if (Directory.Exists(_path))
        {
            throw CannotWrite("it is a directory", inner: null);
        }
        try
        {
            var directory = System.IO.Path.GetDirectoryName(_path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
            var file = OwnedFile.Open(_path, _append ? OpenIntent.Keep : OpenIntent.Truncate, allowDevices: true, out _regular);
            return (file, _regular && EndsMidLine(file));
        }
        catch (UnsafePathException ex)
        {
            throw CannotWrite(ex.Message, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw CannotWrite(Reason(ex), ex);
        }
    }

    private IOException CannotWrite(string reason, Exception? inner) =>
        new($"The file sink cannot write to {_path}: {reason}", inner);

    /// <summary>Says which part of the path is in the way when a parent "directory" is a file.</summary>
    private string Reason(Exception ex)
    {
        for (var parent = System.IO.Path.GetDirectoryName(_path); !string.IsNullOrEmpty(parent); parent = System.IO.Path.GetDirectoryName(parent))
        {
            if (System.IO.File.Exists(parent))
            {
                return $"{parent} is a file, not a directory";
            }
        }
        return ex.Message;
    }

    private static bool EndsMidLine(SafeFileHandle file)
    {
        var length = RandomAccess.GetLength(file);
        Span<byte> last = stackalloc byte[1];
        return length > 0 && RandomAccess.Read(file, last, length - 1) == 1 && last[0] != (byte)'\n';
    }
}
