using System.Runtime.ExceptionServices;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.File;

/// <summary>Writes each event as one NDJSON line to a file, rotating it by size without ever splitting a line.</summary>
/// <remarks>
/// Lines collect in a buffer that is handed to the operating system in whole lines, when the flush policy says so
/// or when it is full. Rotation happens before a line that would take the file over the limit, so every file stays
/// within it unless it holds a single longer line. The lock is there for the <c>interval</c> timer, which runs on
/// its own thread; the host's calls never overlap.
/// </remarks>
internal sealed class FileSink : ISink, IDisposable
{
    /// <summary>Counter of completed rotations.</summary>
    public const string RotationsCounter = "rotations";

    /// <summary>Counter of rotations that could not rename the files (the sink kept writing to the current one).</summary>
    public const string RotationFailuresCounter = "rotation_failures";

    private const int BufferSize = 64 * 1024;

    private readonly string _configuredPath;
    private readonly bool _append;
    private readonly long _maxBytes;
    private readonly int _maxFiles;
    private readonly FileFlushPolicy _flush;
    private readonly TimeSpan _flushInterval;
    private readonly bool _fsync;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Counter _rotations;
    private readonly Counter _rotationFailures;
    private readonly Lock _gate = new();

    private string _path = string.Empty;
    private FileStream? _file;
    private EventLineFormatter? _formatter;
    private byte[] _buffer = [];
    private int _buffered;

    /// <summary>True when bytes were handed to the operating system since the last fsync.</summary>
    private bool _unsynced;

    /// <summary>The file's size including what is still buffered.</summary>
    private long _size;

    /// <summary>The size above which the next line rotates: the limit, or more after a failed rotation.</summary>
    private long _rotateAbove;

    private ITimer? _timer;
    private ExceptionDispatchInfo? _timerFailure;
    private bool _stopped;

    /// <summary>Creates the sink; nothing is opened before <see cref="StartAsync"/>.</summary>
    internal FileSink(FileSinkConfig config, IStageContext context, TimeProvider time)
    {
        _configuredPath = config.Path;
        _append = config.Append;
        _maxBytes = config.MaxSizeBytes;
        _maxFiles = config.MaxFiles;
        _flush = config.Flush;
        _flushInterval = TimeSpan.FromMilliseconds(config.FlushIntervalMs);
        _fsync = config.Fsync;
        _logger = context.Logger;
        _time = time;
        _rotations = context.Counter(RotationsCounter);
        _rotationFailures = context.Counter(RotationFailuresCounter);
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
            _size = file.Length;
            _buffer = new byte[BufferSize];
            _formatter = new EventLineFormatter();
            if (_append)
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
                Append("\n"u8);
                _logger.LogWarning("{Path} did not end with a line feed (its last writer stopped mid-line); one was added so events start on a line of their own", _path);
            }
            if (_flush == FileFlushPolicy.Interval)
            {
                _timer = _time.CreateTimer(static state => ((FileSink)state!).OnTimer(), this, _flushInterval, _flushInterval);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Write(AgentEvent evt)
    {
        lock (_gate)
        {
            ThrowIfNotWritable();
            var line = _formatter!.Format(evt).Span;
            if (_maxBytes > 0 && _size > 0 && _size + line.Length > _rotateAbove)
            {
                Rotate();
            }
            Append(line);
            if (_flush == FileFlushPolicy.EveryEvent)
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
            // this finds nothing left to do.
            if (_file is not null && _flush != FileFlushPolicy.Interval)
            {
                WriteOut();
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
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
            _timer?.Dispose();
            _timer = null;
            if (_file is null)
            {
                return;
            }
            try
            {
                WriteOut();
            }
            finally
            {
                _file.Dispose();
                _file = null;
                _formatter?.Dispose();
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

    private void Append(ReadOnlySpan<byte> line)
    {
        // Whole lines per write: a reader following the file never sees half a line from a full buffer.
        if (line.Length > _buffer.Length - _buffered)
        {
            WriteBuffer();
        }
        if (line.Length >= _buffer.Length)
        {
            _file!.Write(line);
            _unsynced = true;
        }
        else
        {
            line.CopyTo(_buffer.AsSpan(_buffered));
            _buffered += line.Length;
        }
        _size += line.Length;
    }

    /// <summary>Hands buffered lines to the operating system, and forces them to disk when <c>fsync</c> is on.</summary>
    private void WriteOut()
    {
        WriteBuffer();
        if (_fsync && _unsynced)
        {
            _file!.Flush(flushToDisk: true);
            _unsynced = false;
        }
    }

    private void WriteBuffer()
    {
        if (_buffered == 0)
        {
            return;
        }
        _file!.Write(_buffer, 0, _buffered);
        _buffered = 0;
        _unsynced = true;
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_file is null || _timerFailure is not null)
            {
                return;
            }
            try
            {
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
        WriteOut();
        var newest = BackupPath(1);
        try
        {
            ShiftBackups();
            // The open file can be renamed (it is opened with FileShare.Delete): if this fails, it is still ours.
            System.IO.File.Move(_path, newest);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _rotationFailures.Add();
            // Not again on every event: the next attempt comes after another limit's worth of lines.
            _rotateAbove = _size + _maxBytes;
            _logger.LogError(ex, "Could not rotate {Path}; events keep going to it and rotation is tried again after {Bytes} more bytes",
                _path, _maxBytes);
            return;
        }

        FileStream fresh;
        try
        {
            fresh = Open(FileMode.Append);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"The file sink rotated {_path} to {newest} but cannot create a new {_path}: {ex.Message}", ex);
        }
        _file!.Dispose();
        _file = fresh;
        _size = fresh.Length;
        _unsynced = false;
        _rotateAbove = _maxBytes;
        _rotations.Add();
        _logger.LogDebug("Rotated {Path} to {Backup}", _path, newest);
    }

    /// <summary>Moves <c>path.1 … path.k</c> up by one, dropping <c>path.{max_files}</c> when the run is full.</summary>
    /// <remarks>
    /// Only the run of backups that exists moves, so a rotation costs what is there rather than <c>max_files</c>
    /// look-ups. A name after the run is free by definition; a gap left by an earlier failure closes here.
    /// Moves never overwrite: if a name is taken after all (a directory), rotation stops and nothing is lost.
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
    private (FileStream File, bool EndsMidLine) OpenAtStart()
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
            var endsMidLine = _append && EndsMidLine(_path);
            return (Open(_append ? FileMode.Append : FileMode.Create), endsMidLine);
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

    private static bool EndsMidLine(string path)
    {
        try
        {
            using var handle = System.IO.File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(handle);
            Span<byte> last = stackalloc byte[1];
            return length > 0 && RandomAccess.Read(handle, last, length - 1) == 1 && last[0] != (byte)'\n';
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            // No file yet, or one we may write but not read: nothing to repair that we could see.
            return false;
        }
    }

    private FileStream Open(FileMode mode)
    {
        var options = new FileStreamOptions
        {
            Mode = mode,
            Access = FileAccess.Write,
            // Readers (tail -f, a replay) may follow the file, and logrotate-style tools may rename it.
            Share = FileShare.Read | FileShare.Delete,
            // The sink buffers whole lines itself.
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            // Events hold decrypted traffic, API keys included: a new file is for its owner only.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return new FileStream(_path, options);
    }
}
