using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace AgentSight.Plugins.Http.Http2;

/// <summary>
/// Decodes the header blocks one endpoint's HPACK encoder wrote on one connection (RFC 7541): indexed fields, the
/// three kinds of literals, Huffman-coded strings and dynamic table size updates, against the static table and this
/// direction's <see cref="HpackDynamicTable"/>. Fields whose table entry predates what was seen are counted, never
/// guessed. A block that does not decode leaves the table unknown (<see cref="HpackDynamicTable.Forget"/>).
/// </summary>
internal sealed class HpackDecoder(HpackDynamicTable table)
{
    private const int StackLimit = 512;
    private static readonly Encoding Latin1 = Encoding.Latin1;

    public HpackDynamicTable Table { get; } = table;

    /// <summary>Decodes one whole header block into <paramref name="output"/>; false when it is not valid HPACK.</summary>
    public bool Decode(ReadOnlySpan<byte> block, HeaderBlock output)
    {
        var pos = 0;
        while (pos < block.Length)
        {
            var b = block[pos];
            if ((b & 0x80) != 0)
            {
                // Indexed header field (§6.1).
                if (!ReadInteger(block, ref pos, 7, out var index) || index == 0)
                {
                    return Fail();
                }
                if (!Lookup(index, out var name, out var value))
                {
                    return Fail();
                }
                if (name is null)
                {
                    output.Missed++;
                }
                else
                {
                    output.Add(name, value!);
                }
            }
            else if ((b & 0x40) != 0)
            {
                // Literal with incremental indexing (§6.2.1).
                if (!Literal(block, ref pos, 6, output, out var name, out var nameBytes, out var value, out var valueBytes))
                {
                    return Fail();
                }
                Table.Add(name, value, nameBytes, valueBytes);
            }
            else if ((b & 0x20) != 0)
            {
                // Dynamic table size update (§6.3).
                if (!ReadInteger(block, ref pos, 5, out var size))
                {
                    return Fail();
                }
                Table.SetMaxSize(size);
            }
            else
            {
                // Literal without indexing (0000) or never indexed (0001) (§6.2.2, §6.2.3).
                if (!Literal(block, ref pos, 4, output, out _, out _, out _, out _))
                {
                    return Fail();
                }
            }
        }
        return true;
    }

    /// <summary>
    /// True when <paramref name="block"/> is a sequence of well-formed representations (integers that end, strings
    /// inside the block, valid Huffman, no index 0), whatever the tables hold: evidence that bytes are a header block.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> block)
    {
        var pos = 0;
        while (pos < block.Length)
        {
            var b = block[pos];
            int index;
            if ((b & 0x80) != 0)
            {
                if (!ReadInteger(block, ref pos, 7, out index) || index == 0)
                {
                    return false;
                }
                continue;
            }
            if ((b & 0xE0) == 0x20)
            {
                if (!ReadInteger(block, ref pos, 5, out _))
                {
                    return false;
                }
                continue;
            }
            if (!ReadInteger(block, ref pos, (b & 0x40) != 0 ? 6 : 4, out index)
                || (index == 0 && !ReadString(block, ref pos, name: true, out _, out _))
                || !ReadString(block, ref pos, name: false, out _, out _))
            {
                return false;
            }
        }
        return true;
    }

    private bool Fail()
    {
        Table.Forget();
        return false;
    }

    /// <summary>
    /// Looks an index up. True with a null name when the entry cannot be known; false when the index is invalid
    /// (0, or past a table known whole).
    /// </summary>
    private bool Lookup(int index, out string? name, out string? value)
    {
        if (index <= HpackStaticTable.Count)
        {
            (name, value) = HpackStaticTable.Entries[index - 1];
            return true;
        }
        var dynamic = index - HpackStaticTable.Count - 1;
        if (dynamic < Table.Count)
        {
            var entry = Table[dynamic];
            name = entry.Name;
            value = entry.Value;
            return true;
        }
        name = null;
        value = null;
        return Table.TailUnknown;
    }

    /// <summary>Reads a literal field: its name (indexed or literal) and its value; adds it to the output when its name is known.</summary>
    private bool Literal(ReadOnlySpan<byte> block, ref int pos, int prefix, HeaderBlock output, out string? name, out int nameBytes,
        out string value, out int valueBytes)
    {
        value = "";
        valueBytes = 0;
        nameBytes = 0;
        name = null;
        if (!ReadInteger(block, ref pos, prefix, out var nameIndex))
        {
            return false;
        }
        if (nameIndex == 0)
        {
            if (!ReadString(block, ref pos, name: true, out name, out nameBytes))
            {
                return false;
            }
        }
        else
        {
            if (!Lookup(nameIndex, out name, out _))
            {
                return false;
            }
            // Names are tokens: one byte per character (literal names are read one char per byte too).
            nameBytes = name?.Length ?? 0;
        }
        if (!ReadString(block, ref pos, name: false, out var text, out valueBytes))
        {
            return false;
        }
        value = text!;
        if (name is null)
        {
            output.Missed++;
        }
        else
        {
            output.Add(name, value);
        }
        return true;
    }

    /// <summary>A string literal (§5.2): a Huffman flag, a 7-bit-prefix length, the octets.</summary>
    private static bool ReadString(ReadOnlySpan<byte> block, ref int pos, bool name, out string? text, out int bytes)
    {
        text = null;
        bytes = 0;
        if (pos >= block.Length)
        {
            return false;
        }
        var huffman = (block[pos] & 0x80) != 0;
        if (!ReadInteger(block, ref pos, 7, out var length) || length > block.Length - pos)
        {
            return false;
        }
        var raw = block.Slice(pos, length);
        pos += length;
        if (!huffman)
        {
            bytes = raw.Length;
            text = name ? WellKnown.Name(raw) : Text(raw);
            return true;
        }
        var max = HuffmanDecoder.MaxDecodedLength(raw.Length);
        byte[]? rented = null;
        var buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var written = HuffmanDecoder.Decode(raw, buffer);
            if (written < 0)
            {
                return false;
            }
            var decoded = buffer[..written];
            bytes = written;
            text = name ? WellKnown.Name(decoded) : Text(decoded);
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>An integer with an N-bit prefix (§5.1), at most 2^31 - 1.</summary>
    private static bool ReadInteger(ReadOnlySpan<byte> block, ref int pos, int prefixBits, out int value)
    {
        value = 0;
        if (pos >= block.Length)
        {
            return false;
        }
        var max = (1 << prefixBits) - 1;
        var result = block[pos++] & max;
        if (result < max)
        {
            value = result;
            return true;
        }
        long total = result;
        for (var shift = 0; shift <= 28; shift += 7)
        {
            if (pos >= block.Length)
            {
                return false;
            }
            var b = block[pos++];
            total += (long)(b & 0x7F) << shift;
            if (total > int.MaxValue)
            {
                return false;
            }
            if ((b & 0x80) == 0)
            {
                value = (int)total;
                return true;
            }
        }
        return false;
    }

    /// <summary>UTF-8 when it is valid, otherwise Latin-1, so every byte is kept (as HTTP/1 heads are read).</summary>
    private static string Text(ReadOnlySpan<byte> bytes) =>
        bytes.IsEmpty ? "" : Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Latin1.GetString(bytes);
}
