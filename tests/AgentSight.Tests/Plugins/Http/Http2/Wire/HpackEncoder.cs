using System.Text;

namespace AgentSight.Tests.Analyzers.Http2.Wire;

/// <summary>
/// An HPACK encoder (RFC 7541) for tests and the benchmark: a dynamic table with eviction, size updates, and every
/// representation. With a <see cref="Random"/> it picks among the valid representations of each field at random
/// (indexed or literal, incremental, without or never indexed, name indexed or literal, Huffman or not); without one
/// it encodes as the common encoders do (index what fits, Huffman when shorter).
/// </summary>
internal sealed class HpackEncoder(Random? random = null)
{
    private static readonly (string Name, string Value)[] Static =
    [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"), (":scheme", "http"),
        (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"), (":status", "304"), (":status", "400"),
        (":status", "404"), (":status", "500"), ("accept-charset", ""), ("accept-encoding", "gzip, deflate"), ("accept-language", ""),
        ("accept-ranges", ""), ("accept", ""), ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""),
        ("cache-control", ""), ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""), ("etag", ""), ("expect", ""),
        ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""), ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""),
        ("if-unmodified-since", ""), ("last-modified", ""), ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""), ("retry-after", ""), ("server", ""), ("set-cookie", ""),
        ("strict-transport-security", ""), ("transfer-encoding", ""), ("user-agent", ""), ("vary", ""), ("via", ""), ("www-authenticate", ""),
    ];

    private readonly List<(string Name, string Value, int Size)> _table = [];
    private readonly List<int> _pendingSizes = [];
    private int _size;

    /// <summary>The table's maximum size in force.</summary>
    public int MaxSize { get; private set; } = 4096;

    /// <summary>Entries in the dynamic table, newest first.</summary>
    public IReadOnlyList<(string Name, string Value, int Size)> Table => _table;

    /// <summary>Changes the table size; the update is written at the start of the next block (several may be queued).</summary>
    public void SetMaxSize(int size)
    {
        _pendingSizes.Add(size);
        MaxSize = size;
        Evict(0);
    }

    /// <summary>Encodes one header block.</summary>
    public byte[] Encode(IEnumerable<(string Name, string Value)> fields)
    {
        var output = new List<byte>();
        foreach (var size in _pendingSizes)
        {
            Integer(output, 0x20, 5, size);
        }
        _pendingSizes.Clear();
        foreach (var (name, value) in fields)
        {
            Field(output, name, value);
        }
        return [.. output];
    }

    private void Field(List<byte> output, string name, string value)
    {
        var exact = Find(name, value, exactValue: true);
        if (exact > 0 && (random is null || random.Next(4) != 0))
        {
            Integer(output, 0x80, 7, exact);
            return;
        }
        var nameIndex = Find(name, value, exactValue: false);
        if (nameIndex > 0 && random is not null && random.Next(5) == 0)
        {
            nameIndex = 0;
        }
        var size = Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value) + 32;
        var sensitive = name is "authorization" or "x-api-key" or "cookie";
        int mode;
        if (random is null)
        {
            mode = sensitive ? 2 : size <= MaxSize ? 0 : 1;
        }
        else
        {
            mode = random.Next(3);
        }
        switch (mode)
        {
            case 0:
                Integer(output, 0x40, 6, nameIndex);
                break;
            case 1:
                Integer(output, 0x00, 4, nameIndex);
                break;
            default:
                Integer(output, 0x10, 4, nameIndex);
                break;
        }
        if (nameIndex == 0)
        {
            String(output, name);
        }
        String(output, value);
        if (mode == 0)
        {
            Add(name, value, size);
        }
    }

    private void Add(string name, string value, int size)
    {
        if (size > MaxSize)
        {
            _table.Clear();
            _size = 0;
            return;
        }
        Evict(size);
        _table.Insert(0, (name, value, size));
        _size += size;
    }

    private void Evict(int room)
    {
        while (_table.Count > 0 && _size + room > MaxSize)
        {
            _size -= _table[^1].Size;
            _table.RemoveAt(_table.Count - 1);
        }
    }

    /// <summary>The HPACK index of the field (or of its name when not <paramref name="exactValue"/>), 0 when none.</summary>
    private int Find(string name, string value, bool exactValue)
    {
        for (var i = 0; i < Static.Length; i++)
        {
            if (Static[i].Name == name && (!exactValue || Static[i].Value == value))
            {
                return i + 1;
            }
        }
        for (var i = 0; i < _table.Count; i++)
        {
            if (_table[i].Name == name && (!exactValue || _table[i].Value == value))
            {
                return Static.Length + 1 + i;
            }
        }
        return 0;
    }

    private void String(List<byte> output, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var huffmanLength = (int)((HuffmanBits(bytes) + 7) / 8);
        var huffman = random is null ? huffmanLength < bytes.Length : random.Next(2) == 0;
        if (!huffman)
        {
            Integer(output, 0x00, 7, bytes.Length);
            output.AddRange(bytes);
            return;
        }
        Integer(output, 0x80, 7, huffmanLength);
        output.AddRange(Huffman(bytes));
    }

    private static long HuffmanBits(byte[] bytes) => bytes.Sum(b => (long)HuffmanTable.Lengths[b]);

    /// <summary>Huffman-codes bytes, padded with the most significant bits of EOS (ones).</summary>
    public static byte[] Huffman(byte[] bytes)
    {
        var output = new List<byte>();
        ulong buffer = 0;
        var bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << HuffmanTable.Lengths[b]) | HuffmanTable.Codes[b];
            bits += HuffmanTable.Lengths[b];
            while (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(buffer >> bits));
            }
        }
        if (bits > 0)
        {
            output.Add((byte)((buffer << (8 - bits)) | (0xFFu >> bits)));
        }
        return [.. output];
    }

    /// <summary>An integer with an N-bit prefix (§5.1), the first byte's other bits set to <paramref name="flags"/>.</summary>
    public static void Integer(List<byte> output, byte flags, int prefixBits, int value)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            output.Add((byte)(flags | value));
            return;
        }
        output.Add((byte)(flags | max));
        value -= max;
        while (value >= 128)
        {
            output.Add((byte)((value % 128) + 128));
            value /= 128;
        }
        output.Add((byte)value);
    }
}
