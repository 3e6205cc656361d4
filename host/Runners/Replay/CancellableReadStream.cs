namespace AgentSight.Host.Runners.Replay;

/// <summary>
/// Makes reads of a stream that ignores cancellation (standard input on Unix blocks in read(2)) stop waiting when
/// cancelled, so a replay of an idle pipe stops promptly.
/// </summary>
/// <remarks>
/// The inner stream reads into a buffer of this wrapper, never into the caller's memory: a read abandoned on
/// cancellation may complete later, and must not write into buffers that have been handed back to a pool. Its
/// bytes are kept for the next read.
/// </remarks>
internal sealed class CancellableReadStream(Stream inner, int bufferSize = 64 * 1024) : Stream
{
    private readonly byte[] _buffer = new byte[bufferSize];
    private Task<int>? _pending;
    private int _offset;
    private int _count;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_count == 0)
        {
            _pending ??= inner.ReadAsync(_buffer, 0, _buffer.Length, CancellationToken.None);
            var read = await _pending.WaitAsync(cancellationToken);
            _pending = null;
            if (read == 0)
            {
                return 0;
            }
            _offset = 0;
            _count = read;
        }
        var take = Math.Min(_count, buffer.Length);
        _buffer.AsMemory(_offset, take).CopyTo(buffer);
        _offset += take;
        _count -= take;
        return take;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Only asynchronous reads are used (by the pipe reader); blocking here would defeat the purpose.</summary>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
