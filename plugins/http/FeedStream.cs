using System.Buffers;

namespace AgentSight.Plugins.Http;

/// <summary>
/// A read-only stream over bytes pushed into it, returning 0 (rather than blocking) when it has none: lets the
/// framework's pull-based decompressors run on data that arrives a read at a time.
/// </summary>
/// <remarks>
/// A read hands out at most <see cref="MaxRead"/> bytes: a decompressor then takes its input in sips as it needs
/// them, so <see cref="Handed"/> tells how much compressed input a given output took (the ratio guard of
/// <see cref="DecodeLimits"/>), rather than however much had arrived.
/// </remarks>
internal sealed class FeedStream : Stream
{
    /// <summary>The most one read hands out.</summary>
    public const int MaxRead = 1024;

    private byte[] _buffer = [];
    private int _start;
    private int _end;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Adds bytes to be read.</summary>
    public void Add(ReadOnlySpan<byte> bytes)
    {
        if (_end + bytes.Length > _buffer.Length)
        {
            var unread = _end - _start;
            var next = ArrayPool<byte>.Shared.Rent(Math.Max(unread + bytes.Length, 4096));
            _buffer.AsSpan(_start, unread).CopyTo(next);
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }
            _buffer = next;
            _start = 0;
            _end = unread;
        }
        bytes.CopyTo(_buffer.AsSpan(_end));
        _end += bytes.Length;
    }

    /// <summary>Releases the array once everything was read, so idle decoders hold no memory.</summary>
    public void Compact()
    {
        if (_start == _end && _buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _start = _end = 0;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Bytes handed out by reads so far.</summary>
    public long Handed { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(buffer.Length, MaxRead), _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(buffer);
        _start += n;
        Handed += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
        base.Dispose(disposing);
    }
}
