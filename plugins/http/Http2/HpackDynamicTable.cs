namespace AgentSight.Plugins.Http.Http2;

/// <summary>
/// One HPACK dynamic table (RFC 7541 §2.3.2, §4), as far as it can be known from what was seen.
/// </summary>
/// <remarks>
/// <para>Entries are inserted at the front and evicted from the back, so an index counts from the newest entry. The
/// table here always holds the newest entries of the real one, in the real order, and may hold more at the back
/// (entries the real table evicted, when an eviction could not be worked out): a valid index of the encoder's names
/// the real table's entry, which is then the same entry here, so a field read from here is never a wrong one.</para>
/// <para>What is not known is marked: <see cref="TailUnknown"/> when the real table may hold older entries that
/// were never seen (a connection seen from the middle, a header block lost to the capture, an entry dropped to stay
/// under <see cref="MaxKeptBytes"/>): an index past the known entries is then a field that cannot be decoded, not an
/// error. An entry whose name could not be known (a literal whose name was such an entry) keeps its place with a
/// null name. When the whole table is known (the connection was seen from its start), an index past it is an error.</para>
/// </remarks>
internal sealed class HpackDynamicTable
{
    /// <summary>Most bytes (RFC sizes) of entries kept per table, whatever size the encoder announces.</summary>
    public const int MaxKeptBytes = 64 * 1024;

    /// <summary>The table size in force when a connection starts (SETTINGS_HEADER_TABLE_SIZE's initial value).</summary>
    public const int InitialMaxSize = 4096;

    private const int EntryOverhead = 32;

    private Entry[] _ring = new Entry[16];

    /// <summary>Position of the newest entry in <see cref="_ring"/>.</summary>
    private int _newest = -1;

    /// <summary>Sum of the sizes of the entries whose size is known.</summary>
    private long _knownBytes;

    /// <summary>Entries whose size is not known (their name was not).</summary>
    private int _unknownSizes;

    private HpackDynamicTable(int maxSize, bool tailUnknown)
    {
        MaxSize = maxSize;
        TailUnknown = tailUnknown;
    }

    /// <summary>The encoder's maximum size, or -1 when not known (seen from the middle, before a size update).</summary>
    public int MaxSize { get; private set; }

    /// <summary>True when the real table may hold older entries than the ones here.</summary>
    public bool TailUnknown { get; private set; }

    /// <summary>Entries held.</summary>
    public int Count { get; private set; }

    /// <summary>A table as it is when a connection starts: empty, 4096 bytes.</summary>
    public static HpackDynamicTable AtStart() => new(InitialMaxSize, tailUnknown: false);

    /// <summary>A table of a connection seen from the middle: nothing known.</summary>
    public static HpackDynamicTable Unknown() => new(-1, tailUnknown: true);

    /// <summary>Entry <paramref name="index"/>, 0 being the newest (HPACK index 62).</summary>
    public ref readonly Entry this[int index]
    {
        get
        {
            var position = _newest - index;
            if (position < 0)
            {
                position += _ring.Length;
            }
            return ref _ring[position];
        }
    }

    /// <summary>
    /// Inserts an entry (literal with incremental indexing). <paramref name="name"/> is null when it could not be
    /// known; <paramref name="nameBytes"/> and <paramref name="valueBytes"/> are the lengths in octets (RFC 7541 §4.1).
    /// </summary>
    public void Add(string? name, string value, int nameBytes, int valueBytes)
    {
        var size = name is null ? -1 : nameBytes + valueBytes + EntryOverhead;
        if (size >= 0 && MaxSize >= 0)
        {
            if (size > MaxSize)
            {
                // An entry larger than the table empties it and is not added (§4.4): the table is then known whole.
                Clear();
                TailUnknown = false;
                return;
            }
            EvictToFit(MaxSize - size);
        }
        Push(new Entry(name, value, size));
        Trim();
    }

    /// <summary>A dynamic table size update (§6.3): evicts down to the new size.</summary>
    public void SetMaxSize(int size)
    {
        MaxSize = size;
        if (size == 0)
        {
            Clear();
            TailUnknown = false;
            return;
        }
        EvictToFit(size);
        Trim();
    }

    /// <summary>The encoder's state is lost (a header block not seen, or one that did not decode): nothing is known.</summary>
    public void Forget()
    {
        Clear();
        TailUnknown = true;
        MaxSize = -1;
    }

    /// <summary>Starts over: as at a connection's start (<paramref name="atStart"/>), or with nothing known.</summary>
    public void Reset(bool atStart)
    {
        Clear();
        TailUnknown = !atStart;
        MaxSize = atStart ? InitialMaxSize : -1;
    }

    /// <summary>Bytes held, for memory accounting (the RFC sizes of the entries plus the ring).</summary>
    public long HeldBytes => _knownBytes + ((long)_ring.Length * 16);

    /// <summary>
    /// Evicts from the back until the entries fit in <paramref name="limit"/> bytes, as far as that can be known: the
    /// entries that survive are the longest run of newest ones that fits. An entry of unknown size stops the walk
    /// (it and the older ones are kept: holding entries the real table evicted is harmless).
    /// </summary>
    private void EvictToFit(long limit)
    {
        if (_unknownSizes == 0)
        {
            if (_knownBytes <= limit)
            {
                return;
            }
            while (Count > 0 && _knownBytes > limit)
            {
                RemoveOldest();
            }
            // Ours went, so every older entry the real table had went first.
            TailUnknown = false;
            return;
        }
        long sum = 0;
        for (var i = 0; i < Count; i++)
        {
            var size = this[i].Size;
            if (size < 0)
            {
                return;
            }
            if (sum + size > limit)
            {
                while (Count > i)
                {
                    RemoveOldest();
                }
                TailUnknown = false;
                return;
            }
            sum += size;
        }
    }

    /// <summary>Keeps at most <see cref="MaxKeptBytes"/>: older entries dropped here may still be in the real table.</summary>
    private void Trim()
    {
        while (Count > 0 && (_knownBytes > MaxKeptBytes || Count > MaxKeptBytes / EntryOverhead))
        {
            RemoveOldest();
            TailUnknown = true;
        }
    }

    private void Push(Entry entry)
    {
        if (Count == _ring.Length)
        {
            var grown = new Entry[_ring.Length * 2];
            for (var i = 0; i < Count; i++)
            {
                // Oldest first, so the newest ends at Count - 1.
                grown[i] = this[Count - 1 - i];
            }
            _ring = grown;
            _newest = Count - 1;
        }
        _newest = (_newest + 1) % _ring.Length;
        _ring[_newest] = entry;
        Count++;
        if (entry.Size < 0)
        {
            _unknownSizes++;
        }
        else
        {
            _knownBytes += entry.Size;
        }
    }

    private void RemoveOldest()
    {
        var position = _newest - (Count - 1);
        if (position < 0)
        {
            position += _ring.Length;
        }
        var size = _ring[position].Size;
        if (size < 0)
        {
            _unknownSizes--;
        }
        else
        {
            _knownBytes -= size;
        }
        _ring[position] = default;
        Count--;
    }

    private void Clear()
    {
        Array.Clear(_ring);
        Count = 0;
        _newest = -1;
        _knownBytes = 0;
        _unknownSizes = 0;
        if (_ring.Length > 64)
        {
            _ring = new Entry[16];
        }
    }

    /// <summary>A table entry; <see cref="Name"/> null when it could not be known, <see cref="Size"/> then -1.</summary>
    public readonly record struct Entry(string? Name, string Value, int Size);
}
