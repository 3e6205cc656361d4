namespace AgentSight.Tests.Plugins;

/// <summary>
/// A write-only stream that keeps what it is given until told to fail, then throws the given I/O error on every
/// write, as a pipe does once its reader has gone (EPIPE) or a disk once it is full (ENOSPC).
/// </summary>
public sealed class ScriptedStream : Stream
{
    /// <summary>errno of a pipe whose reader has gone, as IOException.HResult carries it on Linux.</summary>
    public const int Epipe = 32;

    /// <summary>errno of a full disk.</summary>
    public const int Enospc = 28;

    private readonly MemoryStream _written = new();
    private int? _failWith;

    public int WriteCalls { get; private set; }

    public bool Disposed { get; private set; }

    public byte[] Written => _written.ToArray();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>From now on every write throws an IOException carrying <paramref name="errno"/>.</summary>
    public void FailWith(int errno) => _failWith = errno;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        WriteCalls++;
        if (_failWith is { } errno)
        {
            throw new IOException(errno == Epipe ? "Broken pipe" : "No space left on device", errno);
        }
        _written.Write(buffer);
    }

    public override void Flush()
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
