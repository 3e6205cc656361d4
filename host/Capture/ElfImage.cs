using System.Buffers.Binary;
using System.Text;

namespace AgentSight.Host.Capture;

/// <summary>
/// An ELF64 little-endian file opened to find functions by name and read their first bytes of code. Addresses are
/// the file's virtual addresses; <see cref="ToFileOffset"/> gives what a uprobe is attached to.
/// </summary>
internal sealed class ElfImage : IDisposable
{
    private const uint ShtSymtab = 2;
    private const uint ShtDynsym = 11;
    private const uint PtLoad = 1;
    private const byte SttFunc = 2;
    private const byte SttGnuIfunc = 10;
    private const int SymbolSize = 24;
    private const long MaxTableBytes = 256L * 1024 * 1024;

    private readonly FileStream _file;
    private readonly List<(ulong VirtualAddress, ulong FileSize, ulong Offset)> _segments = [];
    private readonly byte[] _sections;
    private readonly int _sectionSize;
    private readonly int _sectionCount;

    private ElfImage(FileStream file, byte[] sections, int sectionSize, int sectionCount)
    {
        _file = file;
        _sections = sections;
        _sectionSize = sectionSize;
        _sectionCount = sectionCount;
    }

    /// <summary>Opens <paramref name="path"/>; throws <see cref="InvalidDataException"/> when it is not an ELF64 LE file.</summary>
    public static ElfImage Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.RandomAccess);
        try
        {
            Span<byte> header = stackalloc byte[64];
            ReadAt(file, 0, header);
            if (!header.StartsWith("\u007fELF"u8))
            {
                throw new InvalidDataException("not an ELF file");
            }
            if (header[4] != 2 || header[5] != 1)
            {
                throw new InvalidDataException("not a 64-bit little-endian ELF file");
            }
            var phoff = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            var shoff = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
            var phentsize = BinaryPrimitives.ReadUInt16LittleEndian(header[54..]);
            var phnum = BinaryPrimitives.ReadUInt16LittleEndian(header[56..]);
            var shentsize = BinaryPrimitives.ReadUInt16LittleEndian(header[58..]);
            var shnum = BinaryPrimitives.ReadUInt16LittleEndian(header[60..]);
            if (shoff == 0 || shnum == 0 || shentsize < 64 || phentsize < 56)
            {
                throw new InvalidDataException("no section or program headers");
            }
            var sections = new byte[shnum * shentsize];
            ReadAt(file, (long)shoff, sections);
            var image = new ElfImage(file, sections, shentsize, shnum);
            var programHeaders = new byte[phnum * phentsize];
            ReadAt(file, (long)phoff, programHeaders);
            for (var i = 0; i < phnum; i++)
            {
                var ph = programHeaders.AsSpan(i * phentsize);
                if (BinaryPrimitives.ReadUInt32LittleEndian(ph) == PtLoad)
                {
                    image._segments.Add((BinaryPrimitives.ReadUInt64LittleEndian(ph[16..]), BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]),
                        BinaryPrimitives.ReadUInt64LittleEndian(ph[8..])));
                }
            }
            return image;
        }
        catch (EndOfStreamException)
        {
            file.Dispose();
            throw new InvalidDataException("not an ELF file (too short)");
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The addresses of the <paramref name="names"/> that are defined functions: in the dynamic symbol table (what
    /// the file exports), and in the full symbol table too when <paramref name="includeSymbolTable"/> (slow on big
    /// unstripped binaries: only for files the user named).
    /// </summary>
    public Dictionary<string, ulong> FindFunctions(IReadOnlyCollection<string> names, bool includeSymbolTable = false)
    {
        var wanted = names.ToDictionary(n => n, n => Encoding.UTF8.GetBytes(n), StringComparer.Ordinal);
        var found = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var type in includeSymbolTable ? new[] { ShtDynsym, ShtSymtab } : [ShtDynsym])
        {
            for (var i = 0; i < _sectionCount && found.Count < wanted.Count; i++)
            {
                var section = _sections.AsSpan(i * _sectionSize, _sectionSize);
                if (BinaryPrimitives.ReadUInt32LittleEndian(section[4..]) != type)
                {
                    continue;
                }
                var link = BinaryPrimitives.ReadUInt32LittleEndian(section[40..]);
                if (link >= _sectionCount)
                {
                    continue;
                }
                var symbols = ReadSection(section);
                var strings = ReadSection(_sections.AsSpan((int)link * _sectionSize, _sectionSize));
                Collect(symbols, strings, wanted, found);
            }
        }
        return found;
    }

    /// <summary>Where the byte at <paramref name="address"/> is in the file, or null when no loaded segment holds it.</summary>
    public ulong? ToFileOffset(ulong address)
    {
        foreach (var (virtualAddress, fileSize, offset) in _segments)
        {
            if (address >= virtualAddress && address < virtualAddress + fileSize)
            {
                return address - virtualAddress + offset;
            }
        }
        return null;
    }

    /// <summary>Up to <paramref name="count"/> bytes of code at <paramref name="address"/> (fewer at a segment's end).</summary>
    public byte[] ReadCode(ulong address, int count)
    {
        foreach (var (virtualAddress, fileSize, offset) in _segments)
        {
            if (address >= virtualAddress && address < virtualAddress + fileSize)
            {
                var available = (int)Math.Min((ulong)count, virtualAddress + fileSize - address);
                var bytes = new byte[available];
                ReadAt(_file, (long)(address - virtualAddress + offset), bytes);
                return bytes;
            }
        }
        return [];
    }

    public void Dispose() => _file.Dispose();

    private void Collect(byte[] symbols, byte[] strings, Dictionary<string, byte[]> wanted, Dictionary<string, ulong> found)
    {
        for (var offset = 0; offset + SymbolSize <= symbols.Length; offset += SymbolSize)
        {
            var symbol = symbols.AsSpan(offset, SymbolSize);
            var type = (byte)(symbol[4] & 0xf);
            var sectionIndex = BinaryPrimitives.ReadUInt16LittleEndian(symbol[6..]);
            var value = BinaryPrimitives.ReadUInt64LittleEndian(symbol[8..]);
            if ((type != SttFunc && type != SttGnuIfunc) || sectionIndex == 0 || value == 0)
            {
                continue;
            }
            var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(symbol);
            if (nameOffset >= strings.Length)
            {
                continue;
            }
            var rest = strings.AsSpan((int)nameOffset);
            var end = rest.IndexOf((byte)0);
            var name = end < 0 ? rest : rest[..end];
            foreach (var (text, bytes) in wanted)
            {
                if (!found.ContainsKey(text) && name.SequenceEqual(bytes) && ToFileOffset(value) is not null)
                {
                    found[text] = value;
                }
            }
        }
    }

    private byte[] ReadSection(ReadOnlySpan<byte> header)
    {
        var offset = BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
        if (size > MaxTableBytes || offset + size > (ulong)_file.Length)
        {
            throw new InvalidDataException("a symbol table lies outside the file");
        }
        var bytes = new byte[size];
        ReadAt(_file, (long)offset, bytes);
        return bytes;
    }

    private static void ReadAt(FileStream file, long offset, Span<byte> buffer)
    {
        file.Position = offset;
        file.ReadExactly(buffer);
    }
}
