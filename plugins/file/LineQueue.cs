namespace AgentSight.Plugins.File;

/// <summary>
/// Whole lines waiting to be written, in blocks of about 64 KiB, each block written with one call, with the points
/// where the file is to be rotated before the next block.
/// </summary>
/// <remarks>
/// Normally it holds one block, written when full or when the flush policy says. While the file cannot be written
/// (a full disk) it grows, up to the sink's <c>max_held_mb</c>: a rotation decided meanwhile is kept as a mark, so
/// the held lines still go to the file they belong to once writing works again.
/// </remarks>
internal sealed class LineQueue
{
    /// <summary>The size of a block: lines are written in calls of at most this (one longer line alone).</summary>
    public const int BlockSize = 64 * 1024;

    private readonly LinkedList<Block> _blocks = new();
    private Block? _spare;
    private bool _rotateNext;

    /// <summary>Bytes waiting.</summary>
    public long Bytes { get; private set; }

    /// <summary>Events waiting (a line added to repair a file cut mid-line is not one).</summary>
    public int Events { get; private set; }

    /// <summary>True when a block is full, or more than one waits: time to write even before the flush policy says.</summary>
    public bool HasFullBlock => _blocks.Count > 1 || (_blocks.Last?.Value is { } last && last.Length >= BlockSize);

    /// <summary>The block to write next, if any.</summary>
    public Block? First => _blocks.First?.Value;

    /// <summary>True when a rotation mark is waiting after the first block (the lines after it go to another file).</summary>
    public bool HasMarkAfterFirst
    {
        get
        {
            for (var node = _blocks.First?.Next; node is not null; node = node.Next)
            {
                if (node.Value.RotateBefore)
                {
                    return true;
                }
            }
            return _rotateNext;
        }
    }

    /// <summary>Adds one line (with its line feed).</summary>
    public void Add(ReadOnlySpan<byte> line, int events)
    {
        var last = _blocks.Last?.Value;
        if (last is null || _rotateNext || last.Data.Length - last.Length < line.Length)
        {
            last = NewBlock(line.Length);
            last.RotateBefore = _rotateNext;
            _rotateNext = false;
            _blocks.AddLast(last);
        }
        line.CopyTo(last.Data.AsSpan(last.Length));
        last.Length += line.Length;
        last.Events += events;
        Bytes += line.Length;
        Events += events;
    }

    /// <summary>The lines added from now on go to a fresh file: the current one is rotated before they are written.</summary>
    public void MarkRotation() => _rotateNext = true;

    /// <summary>The first block was written: it goes.</summary>
    public void RemoveFirst()
    {
        var block = _blocks.First!.Value;
        _blocks.RemoveFirst();
        Bytes -= block.Length;
        Events -= block.Events;
        if (block.Data.Length == BlockSize)
        {
            block.Length = 0;
            block.Events = 0;
            block.RotateBefore = false;
            _spare = block;
        }
    }

    /// <summary>Forgets everything waiting (the caller counts it as lost); a pending rotation stays.</summary>
    public void Clear()
    {
        while (_blocks.First is { } node)
        {
            if (node.Value.RotateBefore)
            {
                _rotateNext = true;
            }
            RemoveFirst();
        }
    }

    private Block NewBlock(int lineLength)
    {
        if (lineLength <= BlockSize && _spare is { } spare)
        {
            _spare = null;
            return spare;
        }
        return new Block(new byte[Math.Max(BlockSize, lineLength)]);
    }

    /// <summary>Lines written with one call; <see cref="RotateBefore"/> says the file is rotated first.</summary>
    internal sealed class Block(byte[] data)
    {
        public byte[] Data { get; } = data;

        public int Length { get; set; }

        public int Events { get; set; }

        public bool RotateBefore { get; set; }

        public ReadOnlySpan<byte> Span => Data.AsSpan(0, Length);
    }
}
