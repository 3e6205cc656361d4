using AgentSight.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.Console;

/// <summary>Writes each event as one line to a standard stream, through a buffer written out on flush.</summary>
/// <remarks>
/// When the reader of the stream goes away (<c>agentsight replay x | head -1</c>) the sink says so once and then
/// discards events, counting them, instead of failing on every event.
/// </remarks>
internal sealed class ConsoleSink : ISink, IDisposable
{
    /// <summary>Counter of the events lost because the reader of the stream went away.</summary>
    public const string DiscardedCounter = "discarded_after_close";

    private const int BufferSize = 64 * 1024;

    // errno values as IOException.HResult carries them on Linux.
    private const int Epipe = 32;
    private const int Econnreset = 104;

    private readonly Func<Stream> _openOutput;
    private readonly ConsoleFormat _format;
    private readonly ConsoleOutputStream _streamName;
    private readonly int _maxPreview;
    private readonly ILogger _logger;
    private readonly Counter _discarded;

    private Stream? _output;
    private PrettyLineFormatter? _pretty;
    private byte[] _buffer = [];
    private int _buffered;

    /// <summary>Events whose lines sit in <see cref="_buffer"/>: what a reader going away costs.</summary>
    private int _bufferedEvents;

    private bool _readerGone;
    private bool _stopped;

    /// <summary>Creates the sink; <paramref name="openOutput"/> is called once, at start.</summary>
    internal ConsoleSink(ConsoleSinkConfig config, IStageContext context, Func<Stream> openOutput)
    {
        _openOutput = openOutput;
        _format = config.Format;
        _streamName = config.Stream;
        _maxPreview = config.MaxPreview;
        _logger = context.Logger;
        _discarded = context.Counter(DiscardedCounter);
    }

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        if (_output is not null)
        {
            return ValueTask.CompletedTask;
        }
        _output = _openOutput();
        _buffer = new byte[BufferSize];
        if (_format == ConsoleFormat.Pretty)
        {
            _pretty = new PrettyLineFormatter(_maxPreview);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Write(ReadOnlyEvent evt)
    {
        if (_readerGone)
        {
            _discarded.Add();
            return;
        }
        var output = _output ?? throw new InvalidOperationException(_stopped
            ? "The console sink was stopped."
            : "The console sink was not started.");
        var line = _pretty is not null ? _pretty.Format(evt) : evt.JsonLine.Span;
        try
        {
            // Whole lines per write: a stream shared with the log (stderr) never gets a log line inside an event line.
            if (line.Length > _buffer.Length - _buffered)
            {
                WriteBuffer(output);
            }
            if (line.Length >= _buffer.Length)
            {
                output.Write(line);
                return;
            }
            line.CopyTo(_buffer.AsSpan(_buffered));
            _buffered += line.Length;
            _bufferedEvents++;
        }
        catch (IOException ex) when (IsReaderGone(ex))
        {
            OnReaderGone(lost: _bufferedEvents + 1);
        }
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_output is { } output && !_readerGone)
        {
            try
            {
                WriteBuffer(output);
                output.Flush();
            }
            catch (IOException ex) when (IsReaderGone(ex))
            {
                OnReaderGone(lost: _bufferedEvents);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask StopAsync(CancellationToken cancellationToken)
    {
        Close(writeOut: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the stream without writing out what is still buffered (the host normally stops the sink).</summary>
    public void Dispose() => Close(writeOut: false);

    private void Close(bool writeOut)
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        try
        {
            if (writeOut && _output is not null && !_readerGone)
            {
                try
                {
                    WriteBuffer(_output);
                    _output.Flush();
                }
                catch (IOException ex) when (IsReaderGone(ex))
                {
                    OnReaderGone(lost: _bufferedEvents);
                }
            }
        }
        finally
        {
            _output?.Dispose();
            _output = null;
            _pretty?.Dispose();
        }
    }

    private void WriteBuffer(Stream output)
    {
        if (_buffered == 0)
        {
            return;
        }
        output.Write(_buffer, 0, _buffered);
        _buffered = 0;
        _bufferedEvents = 0;
    }

    private void OnReaderGone(int lost)
    {
        _readerGone = true;
        _discarded.Add(lost);
        _buffered = 0;
        _bufferedEvents = 0;
        _logger.LogWarning(
            "The output stream ({Stream}) was closed; the console sink discards further events, counting them as {Counter}",
            _streamName.ToString().ToLowerInvariant(), DiscardedCounter);
    }

    /// <summary>
    /// True when the stream's reader has gone for good. Other I/O errors (a full disk behind a redirection) are real
    /// failures and go to the host, which restarts the sink.
    /// </summary>
    private static bool IsReaderGone(IOException ex) => ex.HResult is Epipe or Econnreset;
}
