using System.Buffers;

namespace AgentSight.Plugins.Common.Buffers;

/// <summary>A growable byte buffer on pooled arrays: header blocks, bodies and stream lines in progress.</summary>
public sealed class ByteBuffer
{
    private byte[] _array = [];

    /// <summary>Bytes written.</summary>
    public int Length { get; private set; }

    /// <summary>Bytes the buffer holds on to (its array), for memory accounting.</summary>
    public int Capacity => _array.Length;

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _array.AsMemory(0, Length);

    /// <summary>The last byte written, or -1 when empty.</summary>
    public int Last => Length > 0 ? _array[Length - 1] : -1;

    /// <summary>Appends; returns how many bytes the array grew by (for memory accounting).</summary>
    public int Append(ReadOnlySpan<byte> bytes)
    {
        var grown = 0;
        if (Length + bytes.Length > _array.Length)
        {
            grown = Grow(Length + bytes.Length);
        }
        bytes.CopyTo(_array.AsSpan(Length));
        Length += bytes.Length;
        return grown;
    }

    /// <summary>Appends one byte.</summary>
    public void Append(byte b)
    {
        if (Length == _array.Length)
        {
            Grow(Length + 1);
        }
        _array[Length++] = b;
    }

    /// <summary>Removes the last <paramref name="count"/> bytes.</summary>
    public void Shrink(int count) => Length -= count;

    /// <summary>Forgets the content, keeps the array.</summary>
    public void Clear() => Length = 0;

    /// <summary>Returns the array to the pool; returns how many bytes were released.</summary>
    public int Release()
    {
        var released = _array.Length;
        if (released > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }
        _array = [];
        Length = 0;
        return released;
    }

    private int Grow(int needed)
    {
        var size = Math.Max(needed, Math.Max(256, _array.Length * 2));
        if ((uint)size > (uint)Array.MaxLength)
        {
            size = Math.Max(needed, Array.MaxLength);
        }
        var next = ArrayPool<byte>.Shared.Rent(size);
        _array.AsSpan(0, Length).CopyTo(next);
        var before = _array.Length;
        if (before > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }
        _array = next;
        return next.Length - before;
    }
}
