using System.Buffers;

namespace AgentSight.Plugins.Sse;

/// <summary>A growable byte buffer on pooled arrays.</summary>
internal sealed class ByteBuffer
{
    private byte[] _array = [];

    public int Length { get; private set; }

    /// <summary>Bytes the buffer holds on to, for memory accounting.</summary>
    public int Capacity => _array.Length;

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _array.AsMemory(0, Length);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (Length + bytes.Length > _array.Length)
        {
            Grow(Length + bytes.Length);
        }
        bytes.CopyTo(_array.AsSpan(Length));
        Length += bytes.Length;
    }

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

    public void Clear() => Length = 0;

    /// <summary>Returns the array to the pool.</summary>
    public void Release()
    {
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }
        _array = [];
        Length = 0;
    }

    private void Grow(int needed)
    {
        var size = Math.Max(needed, Math.Max(256, _array.Length * 2));
        if ((uint)size > (uint)Array.MaxLength)
        {
            size = Math.Max(needed, Array.MaxLength);
        }
        var next = ArrayPool<byte>.Shared.Rent(size);
        _array.AsSpan(0, Length).CopyTo(next);
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }
        _array = next;
    }
}
