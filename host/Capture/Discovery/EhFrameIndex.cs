using System.Buffers.Binary;

namespace AgentSight.Host.Capture.Discovery;

/// <summary>
/// Function bounds from the unwind tables (<c>.eh_frame_hdr</c> and <c>.eh_frame</c>), which survive stripping: the
/// sorted table in <c>.eh_frame_hdr</c> gives each function's first address, its FDE in <c>.eh_frame</c> its length.
/// </summary>
/// <remarks>
/// Not every function has unwind information (Bun's BoringSSL has it in only some builds), so a miss here is not an
/// answer: <see cref="FunctionLocator"/> falls back to reading the code. Only the pointer encodings compilers emit for
/// these tables are read; anything else makes the table unusable rather than wrong.
/// </remarks>
internal sealed class EhFrameIndex
{
    private const byte Omit = 0xff;

    private readonly ElfImage _elf;
    private readonly ulong _hdrAddress;
    private readonly int _tableOffset;
    private readonly int _count;
    private readonly byte[] _hdr;
    private readonly Dictionary<ulong, byte?> _cieEncodings = [];

    private EhFrameIndex(ElfImage elf, ulong hdrAddress, byte[] hdr, int tableOffset, int count)
    {
        _elf = elf;
        _hdrAddress = hdrAddress;
        _hdr = hdr;
        _tableOffset = tableOffset;
        _count = count;
    }

    /// <summary>Functions in the table.</summary>
    public int Count => _count;

    /// <summary>The index of <paramref name="elf"/>, or null when it has no usable <c>.eh_frame_hdr</c>.</summary>
    public static EhFrameIndex? Read(ElfImage elf)
    {
        var section = elf.Section(".eh_frame_hdr");
        if (section is null || section.Size < 12)
        {
            return null;
        }
        var hdr = elf.SectionBytes(section).ToArray();
        // version 1; table entries as datarel sdata4 (0x3b), the only form the linkers write.
        if (hdr.Length < 12 || hdr[0] != 1 || hdr[3] != 0x3b)
        {
            return null;
        }
        var position = 4;
        if (!TryReadEncoded(hdr, ref position, hdr[1], section.Address, out _) || !TryReadEncoded(hdr, ref position, hdr[2], section.Address, out var count))
        {
            return null;
        }
        if (count > (ulong)((hdr.Length - position) / 8))
        {
            return null;
        }
        return new EhFrameIndex(elf, section.Address, hdr, position, (int)count);
    }

    /// <summary>The function (start, end) that contains <paramref name="address"/>, if the tables cover it.</summary>
    public (ulong Start, ulong End)? FunctionAt(ulong address)
    {
        int low = 0, high = _count - 1, found = -1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (Start(middle) <= address)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        if (found < 0)
        {
            return null;
        }
        var start = Start(found);
        var fde = (ulong)((long)_hdrAddress + BinaryPrimitives.ReadInt32LittleEndian(_hdr.AsSpan(_tableOffset + found * 8 + 4)));
        var range = FdeRange(fde);
        return range is { } length && address < start + length ? (start, start + length) : null;
    }

    private ulong Start(int index) => (ulong)((long)_hdrAddress + BinaryPrimitives.ReadInt32LittleEndian(_hdr.AsSpan(_tableOffset + index * 8)));

    /// <summary>The pc_range of the FDE at <paramref name="fde"/>, or null when it cannot be read.</summary>
    private ulong? FdeRange(ulong fde)
    {
        var bytes = _elf.At(fde, 64);
        if (bytes.Length < 16)
        {
            return null;
        }
        var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (length is 0 or 0xffffffff)
        {
            return null;
        }
        var ciePointer = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        var cie = fde + 4 - ciePointer;
        if (CieEncoding(cie) is not { } encoding)
        {
            return null;
        }
        var buffer = bytes.ToArray();
        var position = 8;
        // pc_begin, then pc_range in the same format without the relative part.
        if (!TryReadEncoded(buffer, ref position, encoding, fde, out _) || !TryReadEncoded(buffer, ref position, (byte)(encoding & 0x0f), fde, out var range))
        {
            return null;
        }
        return range;
    }

    /// <summary>The pointer encoding FDEs of the CIE at <paramref name="cie"/> use ('R' augmentation), cached.</summary>
    private byte? CieEncoding(ulong cie)
    {
        if (_cieEncodings.TryGetValue(cie, out var cached))
        {
            return cached;
        }
        byte? encoding = null;
        var bytes = _elf.At(cie, 128).ToArray();
        if (bytes.Length >= 12 && BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)) == 0)
        {
            var version = bytes[8];
            var position = 9;
            var end = Array.IndexOf(bytes, (byte)0, position);
            if (end > 0)
            {
                var augmentation = System.Text.Encoding.ASCII.GetString(bytes, position, end - position);
                position = end + 1;
                if (version >= 4)
                {
                    position += 2; // address size, segment size
                }
                ReadUleb(bytes, ref position); // code alignment
                ReadUleb(bytes, ref position); // data alignment (sleb, same length)
                if (version == 1)
                {
                    position++;
                }
                else
                {
                    ReadUleb(bytes, ref position);
                }
                encoding = AugmentationEncoding(bytes, position, augmentation, cie);
            }
        }
        _cieEncodings[cie] = encoding;
        return encoding;
    }

    private static byte? AugmentationEncoding(byte[] bytes, int position, string augmentation, ulong cie)
    {
        if (!augmentation.StartsWith('z'))
        {
            return augmentation.Length == 0 ? (byte)0 : null; // no augmentation: absolute 8-byte pointers
        }
        ReadUleb(bytes, ref position);
        foreach (var letter in augmentation.AsSpan(1))
        {
            if (position >= bytes.Length)
            {
                return null;
            }
            switch (letter)
            {
                case 'R':
                    return bytes[position];
                case 'L':
                    position++;
                    break;
                case 'P':
                    var personality = bytes[position++];
                    if (!TryReadEncoded(bytes, ref position, personality, cie, out _))
                    {
                        return null;
                    }
                    break;
                case 'S' or 'B':
                    break;
                default:
                    return null;
            }
        }
        return 0;
    }

    /// <summary>Reads a DWARF exception-header pointer; <paramref name="baseAddress"/> is where <paramref name="bytes"/> start.</summary>
    private static bool TryReadEncoded(byte[] bytes, ref int position, byte encoding, ulong baseAddress, out ulong value)
    {
        value = 0;
        if (encoding == Omit)
        {
            return true;
        }
        var fieldAddress = baseAddress + (ulong)position;
        long raw;
        switch (encoding & 0x0f)
        {
            case 0x00 or 0x04 or 0x0c:
                if (position + 8 > bytes.Length)
                {
                    return false;
                }
                raw = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position));
                position += 8;
                break;
            case 0x03:
                if (position + 4 > bytes.Length)
                {
                    return false;
                }
                raw = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position));
                position += 4;
                break;
            case 0x0b:
                if (position + 4 > bytes.Length)
                {
                    return false;
                }
                raw = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position));
                position += 4;
                break;
            case 0x02:
                if (position + 2 > bytes.Length)
                {
                    return false;
                }
                raw = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(position));
                position += 2;
                break;
            case 0x0a:
                if (position + 2 > bytes.Length)
                {
                    return false;
                }
                raw = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(position));
                position += 2;
                break;
            case 0x01:
                raw = (long)ReadUleb(bytes, ref position);
                break;
            default:
                return false;
        }
        value = (encoding & 0x70) switch
        {
            0x00 => (ulong)raw,
            0x10 => (ulong)((long)fieldAddress + raw),   // pc-relative
            0x30 => (ulong)((long)baseAddress + raw),    // data-relative: .eh_frame_hdr's start
            _ => 0,
        };
        return (encoding & 0x70) is 0x00 or 0x10 or 0x30;
    }

    private static ulong ReadUleb(byte[] bytes, ref int position)
    {
        ulong result = 0;
        var shift = 0;
        while (position < bytes.Length)
        {
            var b = bytes[position++];
            if (shift < 64)
            {
                result |= (ulong)(b & 0x7f) << shift;
            }
            shift += 7;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }
        return result;
    }
}
