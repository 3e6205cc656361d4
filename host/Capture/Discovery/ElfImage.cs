using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Text;

namespace AgentSight.Host.Capture.Discovery;

/// <summary>
/// An ELF64 little-endian file, memory-mapped read-only, for finding TLS functions in it: symbols, sections, the
/// loaded segments, the build-id, and the bytes at a virtual address. Addresses are the file's virtual addresses;
/// <see cref="ToFileOffset"/> gives what a uprobe is attached to.
/// </summary>
/// <remarks>
/// Mapping instead of reading keeps a 400 MB executable out of the managed heap: a scan touches pages once and the
/// kernel drops them afterwards. Files of 2 GiB or more are refused (a span cannot cover them).
/// </remarks>
internal sealed unsafe class ElfImage : IDisposable
{
    private const uint ShtSymtab = 2;
    private const uint ShtDynsym = 11;
    private const uint ShtNote = 7;
    private const uint PtLoad = 1;
    private const byte SttFunc = 2;
    private const byte SttGnuIfunc = 10;
    private const int SymbolSize = 24;
    private const uint NtGnuBuildId = 3;

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly int _length;
    private bool _disposed;

    private ElfImage(MemoryMappedFile map, MemoryMappedViewAccessor view, byte* basePointer, int length)
    {
        _map = map;
        _view = view;
        _base = basePointer;
        _length = length;
    }

    /// <summary>The path it was opened from.</summary>
    public string Path { get; private init; } = string.Empty;

    /// <summary>ET_EXEC (fixed addresses) or ET_DYN (position-independent: executables and shared libraries).</summary>
    public bool IsPositionIndependent { get; private set; }

    /// <summary>The loaded segments (PT_LOAD), in file order.</summary>
    public IReadOnlyList<ElfSegment> Segments { get; private set; } = [];

    /// <summary>The sections, when the file has section headers (stripped files keep them).</summary>
    public IReadOnlyList<ElfSection> Sections { get; private set; } = [];

    /// <summary>The GNU build-id in hex, or null when the file has none.</summary>
    public string? BuildId { get; private set; }

    /// <summary>The whole file.</summary>
    public ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new ReadOnlySpan<byte>(_base, _length);
        }
    }

    /// <summary>Opens <paramref name="path"/>; throws <see cref="InvalidDataException"/> when it is not an ELF64 LE file.</summary>
    public static ElfImage Open(string path)
    {
        long length;
        using (var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1))
        {
            length = probe.Length;
            Span<byte> magic = stackalloc byte[6];
            if (length < 64 || probe.Read(magic) < magic.Length || !magic[..4].SequenceEqual("\u007fELF"u8))
            {
                throw new InvalidDataException(length < 64 ? "not an ELF file (too short)" : "not an ELF file");
            }
            if (magic[4] != 2 || magic[5] != 1)
            {
                throw new InvalidDataException("not a 64-bit little-endian ELF file");
            }
        }
        if (length >= int.MaxValue)
        {
            throw new InvalidDataException($"the file is {length / (1024 * 1024)} MiB: files of 2 GiB or more are not looked into");
        }
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointer += view.PointerOffset;
            var image = new ElfImage(map, view, pointer, (int)length) { Path = path };
            image.ReadHeaders();
            return image;
        }
        catch
        {
            if (view is not null)
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
                view.Dispose();
            }
            map.Dispose();
            throw;
        }
    }

    /// <summary>The section named <paramref name="name"/>, or null.</summary>
    public ElfSection? Section(string name) => Sections.FirstOrDefault(s => s.Name == name);

    /// <summary>The bytes a section holds in the file (empty for NOBITS or out-of-file sections).</summary>
    public ReadOnlySpan<byte> SectionBytes(ElfSection section) =>
        section.Type == 8 || section.Offset + section.Size > (ulong)_length ? [] : Bytes.Slice((int)section.Offset, (int)section.Size);

    /// <summary>Where the byte at <paramref name="address"/> is in the file, or null when no loaded segment holds it.</summary>
    public ulong? ToFileOffset(ulong address)
    {
        foreach (var segment in Segments)
        {
            if (address >= segment.VirtualAddress && address < segment.VirtualAddress + segment.FileSize)
            {
                return address - segment.VirtualAddress + segment.FileOffset;
            }
        }
        return null;
    }

    /// <summary>The virtual address the file byte at <paramref name="offset"/> is loaded at, or null.</summary>
    public ulong? ToAddress(ulong offset)
    {
        foreach (var segment in Segments)
        {
            if (offset >= segment.FileOffset && offset < segment.FileOffset + segment.FileSize)
            {
                return offset - segment.FileOffset + segment.VirtualAddress;
            }
        }
        return null;
    }

    /// <summary>True when <paramref name="address"/> is in an executable loaded segment.</summary>
    public bool IsCode(ulong address) => Segments.Any(s => s.IsExecutable && address >= s.VirtualAddress && address < s.VirtualAddress + s.FileSize);

    /// <summary>Up to <paramref name="count"/> bytes at <paramref name="address"/> (fewer at a segment's end, none outside).</summary>
    public ReadOnlySpan<byte> At(ulong address, int count)
    {
        foreach (var segment in Segments)
        {
            if (address >= segment.VirtualAddress && address < segment.VirtualAddress + segment.FileSize)
            {
                var offset = address - segment.VirtualAddress + segment.FileOffset;
                if (offset >= (ulong)_length)
                {
                    return [];
                }
                // A segment may claim more bytes than a damaged file holds.
                var available = (int)Math.Min(Math.Min((ulong)count, segment.VirtualAddress + segment.FileSize - address), (ulong)_length - offset);
                return Bytes.Slice((int)offset, available);
            }
        }
        return [];
    }

    /// <summary>
    /// A 64-bit decoder over the code at <paramref name="address"/>, for at most <paramref name="maxLength"/> bytes (less
    /// at the end of its segment); its instructions carry their virtual addresses.
    /// </summary>
    public Iced.Intel.Decoder Decode(ulong address, int maxLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var bytes = At(address, maxLength);
        var offset = bytes.IsEmpty ? 0 : ToFileOffset(address)!.Value;
        var reader = new PointerCodeReader(_base + offset, bytes.Length);
        return Iced.Intel.Decoder.Create(64, reader, address);
    }

    /// <summary>Up to <paramref name="count"/> bytes of code at <paramref name="address"/>, as a copy.</summary>
    public byte[] ReadCode(ulong address, int count) => At(address, count).ToArray();

    /// <summary>The NUL-terminated string at <paramref name="address"/> (at most 256 bytes), or null.</summary>
    public string? StringAt(ulong address)
    {
        var bytes = At(address, 256);
        var end = bytes.IndexOf((byte)0);
        return end < 0 ? null : Encoding.UTF8.GetString(bytes[..end]);
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
            foreach (var section in Sections.Where(s => s.Type == type))
            {
                if (found.Count == wanted.Count || section.Link >= Sections.Count)
                {
                    break;
                }
                Collect(SectionBytes(section), SectionBytes(Sections[(int)section.Link]), wanted, found);
            }
        }
        return found;
    }

    /// <summary>The virtual addresses at which <paramref name="pattern"/> occurs in loaded, non-executable data.</summary>
    public List<ulong> FindInData(ReadOnlySpan<byte> pattern)
    {
        var found = new List<ulong>();
        foreach (var segment in Segments.Where(s => !s.IsExecutable && s.FileOffset < (ulong)_length))
        {
            var bytes = Bytes.Slice((int)segment.FileOffset, (int)Math.Min(segment.FileSize, (ulong)_length - segment.FileOffset));
            for (var start = 0; ;)
            {
                var at = bytes[start..].IndexOf(pattern);
                if (at < 0)
                {
                    break;
                }
                found.Add(segment.VirtualAddress + (ulong)(start + at));
                start += at + 1;
            }
        }
        return found;
    }

    /// <summary>The executable segments' bytes with their first address.</summary>
    public IEnumerable<(ulong Address, int Offset, int Length)> CodeRanges() =>
        Segments.Where(s => s.IsExecutable && s.FileOffset < (ulong)_length)
            .Select(s => (s.VirtualAddress, (int)s.FileOffset, (int)Math.Min(s.FileSize, (ulong)_length - s.FileOffset)));

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }

    private void ReadHeaders()
    {
        var header = Bytes[..64];
        IsPositionIndependent = BinaryPrimitives.ReadUInt16LittleEndian(header[16..]) == 3;
        var phoff = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
        var shoff = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
        var phentsize = BinaryPrimitives.ReadUInt16LittleEndian(header[54..]);
        var phnum = BinaryPrimitives.ReadUInt16LittleEndian(header[56..]);
        var shentsize = BinaryPrimitives.ReadUInt16LittleEndian(header[58..]);
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(header[60..]);
        var shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(header[62..]);
        if (phentsize < 56 || phoff + (ulong)(phnum * phentsize) > (ulong)_length)
        {
            throw new InvalidDataException("no program headers");
        }
        var segments = new List<ElfSegment>();
        for (var i = 0; i < phnum; i++)
        {
            var ph = Bytes.Slice((int)phoff + i * phentsize, 56);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) == PtLoad)
            {
                segments.Add(new ElfSegment(BinaryPrimitives.ReadUInt64LittleEndian(ph[16..]), BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]),
                    BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]), BinaryPrimitives.ReadUInt32LittleEndian(ph[4..])));
            }
        }
        Segments = segments;

        if (shoff == 0 || shnum == 0 || shentsize < 64 || shoff + (ulong)(shnum * shentsize) > (ulong)_length)
        {
            throw new InvalidDataException("no section headers");
        }
        var raw = new List<(uint Name, uint Type, ulong Flags, ulong Address, ulong Offset, ulong Size, uint Link)>();
        for (var i = 0; i < shnum; i++)
        {
            var sh = Bytes.Slice((int)shoff + i * shentsize, 64);
            raw.Add((BinaryPrimitives.ReadUInt32LittleEndian(sh), BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]), BinaryPrimitives.ReadUInt64LittleEndian(sh[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(sh[16..]), BinaryPrimitives.ReadUInt64LittleEndian(sh[24..]), BinaryPrimitives.ReadUInt64LittleEndian(sh[32..]),
                BinaryPrimitives.ReadUInt32LittleEndian(sh[40..])));
        }
        var names = shstrndx < raw.Count && raw[shstrndx].Offset + raw[shstrndx].Size <= (ulong)_length
            ? Bytes.Slice((int)raw[shstrndx].Offset, (int)raw[shstrndx].Size)
            : [];
        var sections = new List<ElfSection>(raw.Count);
        foreach (var s in raw)
        {
            sections.Add(new ElfSection(NameAt(names, s.Name), s.Type, s.Flags, s.Address, s.Offset, s.Size, s.Link));
        }
        Sections = sections;
        foreach (var note in Sections.Where(s => s.Type == ShtNote))
        {
            BuildId ??= ReadBuildId(SectionBytes(note));
        }
    }

    private static string NameAt(ReadOnlySpan<byte> names, uint offset)
    {
        if (offset >= names.Length)
        {
            return string.Empty;
        }
        var rest = names[(int)offset..];
        var end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }

    private static string? ReadBuildId(ReadOnlySpan<byte> notes)
    {
        while (notes.Length >= 12)
        {
            var nameSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(notes);
            var descSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(notes[4..]);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(notes[8..]);
            var nameEnd = 12 + ((nameSize + 3) & ~3);
            var descEnd = nameEnd + ((descSize + 3) & ~3);
            if (nameSize < 0 || descSize < 0 || descEnd > notes.Length)
            {
                return null;
            }
            if (type == NtGnuBuildId && notes.Slice(12, nameSize).SequenceEqual("GNU\0"u8))
            {
                return Convert.ToHexStringLower(notes.Slice(nameEnd, descSize));
            }
            notes = notes[descEnd..];
        }
        return null;
    }

    private void Collect(ReadOnlySpan<byte> symbols, ReadOnlySpan<byte> strings, Dictionary<string, byte[]> wanted, Dictionary<string, ulong> found)
    {
        for (var offset = 0; offset + SymbolSize <= symbols.Length; offset += SymbolSize)
        {
            var symbol = symbols.Slice(offset, SymbolSize);
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
            var rest = strings[(int)nameOffset..];
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
}

/// <summary>A loaded segment (PT_LOAD).</summary>
internal sealed record ElfSegment(ulong VirtualAddress, ulong FileOffset, ulong FileSize, uint Flags)
{
    public bool IsExecutable => (Flags & 1) != 0;

    public bool IsWritable => (Flags & 2) != 0;
}

/// <summary>A section header.</summary>
internal sealed record ElfSection(string Name, uint Type, ulong Flags, ulong Address, ulong Offset, ulong Size, uint Link);
