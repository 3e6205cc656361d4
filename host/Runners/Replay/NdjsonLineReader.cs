using System.Buffers;
using System.IO.Pipelines;

namespace AgentSight.Host.Runners.Replay;

/// <summary>
/// Splits a stream into lines without allocating per line: LF or CRLF endings, a UTF-8 BOM at the start, blank lines
/// skipped, a last line without a line feed, and lines over a limit skipped without being held in memory.
/// </summary>
/// <remarks>
/// Lines are handed out as spans over the pipe's buffers; a line that straddles two buffer segments is copied into
/// one reused scratch array, which only grows to the longest such line.
/// </remarks>
internal sealed class NdjsonLineReader : IAsyncDisposable
{
    /// <summary>Big reads keep the number of lines that straddle segments (and so get copied) low.</summary>
    private const int ReadSize = 256 * 1024;

    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    private readonly PipeReader _reader;
    private readonly int _maxLineBytes;
    private byte[] _scratch = [];
    private long _lineNumber = 1;
    private bool _skippingLongLine;
    private bool _completed;

    public NdjsonLineReader(Stream stream, int maxLineBytes)
    {
        _maxLineBytes = maxLineBytes;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadSize, minimumReadSize: ReadSize / 4));
    }

    /// <summary>
    /// Reads once from the stream and hands every complete line to <paramref name="handler"/>. Returns false once
    /// the stream has ended and everything was handed out.
    /// </summary>
    public async ValueTask<bool> ReadAsync(ILineHandler handler, CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return false;
        }
        var result = await _reader.ReadAsync(cancellationToken);
        var buffer = result.Buffer;
        var consumed = SplitLines(buffer, result.IsCompleted, handler);
        _reader.AdvanceTo(consumed, buffer.End);
        if (result.IsCompleted || result.IsCanceled)
        {
            _completed = true;
        }
        return !_completed;
    }

    private SequencePosition SplitLines(ReadOnlySequence<byte> buffer, bool isFinal, ILineHandler handler)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (!reader.End)
        {
            if (_skippingLongLine)
            {
                if (!reader.TryAdvanceTo((byte)'\n'))
                {
                    reader.AdvanceToEnd();
                    break;
                }
                _skippingLongLine = false;
                _lineNumber++;
                continue;
            }

            if (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            {
                Deliver(line, handler);
                _lineNumber++;
                continue;
            }

            var rest = reader.UnreadSequence;
            if (rest.Length > _maxLineBytes)
            {
                // No line feed within the limit: report now and drop bytes until the next line feed arrives.
                handler.OnLineTooLong(_lineNumber, _maxLineBytes);
                _skippingLongLine = true;
                reader.AdvanceToEnd();
            }
            else if (isFinal)
            {
                Deliver(rest, handler);
                reader.AdvanceToEnd();
            }
            break;
        }
        return reader.Position;
    }

    private void Deliver(ReadOnlySequence<byte> line, ILineHandler handler)
    {
        if (line.Length > _maxLineBytes)
        {
            handler.OnLineTooLong(_lineNumber, _maxLineBytes);
            return;
        }
        ReadOnlySpan<byte> span;
        if (line.IsSingleSegment)
        {
            span = line.FirstSpan;
        }
        else
        {
            var length = (int)line.Length;
            if (_scratch.Length < length)
            {
                _scratch = new byte[Math.Max(length, Math.Min(_scratch.Length * 2, _maxLineBytes))];
            }
            line.CopyTo(_scratch);
            span = _scratch.AsSpan(0, length);
        }

        if (_lineNumber == 1 && span.StartsWith(Bom))
        {
            span = span[Bom.Length..];
        }
        if (span.Length > 0 && span[^1] == (byte)'\r')
        {
            span = span[..^1];
        }
        if (IsBlank(span))
        {
            return;
        }
        handler.OnLine(span, _lineNumber);
    }

    private static bool IsBlank(ReadOnlySpan<byte> span) => span.IndexOfAnyExcept((byte)' ', (byte)'\t', (byte)'\r') < 0;

    public ValueTask DisposeAsync() => _reader.CompleteAsync();
}
