using System.Buffers.Binary;
using System.Text;

namespace AgentSight.Host.Capture.Discovery.Go;

/// <summary>
/// The function table of a Go executable (the pclntab the runtime uses for stack traces and garbage collection), read
/// in place: the names and address ranges of every Go function, also in binaries stripped with <c>-ldflags="-s -w"</c>
/// or <c>strip</c>, which lose <c>.symtab</c> but keep this table because the program cannot run without it.
/// </summary>
/// <remarks>
/// <para>
/// Formats read (runtime/symtab.go, debug/gosym/pclntab.go): Go 1.2-1.15 (magic 0xfffffffb), 1.16-1.17 (0xfffffffa),
/// 1.18-1.19 (0xfffffff0) and 1.20 onwards (0xfffffff1, laid out as 1.18 where names and entries are concerned). The
/// table is in <c>.gopclntab</c>; a PIE build puts it in <c>.data.rel.ro.gopclntab</c>, and an external link (cgo,
/// or a distribution's PIE build) merges that into <c>.data.rel.ro</c>, so without either section it is looked for by
/// its header in the loaded data.
/// </para>
/// <para>
/// Since Go 1.18 entries are 32-bit offsets from the start of Go's code (<c>runtime.text</c>), recorded in the header.
/// That is not always where <c>.text</c> starts: an external linker puts C start-up code first (eCapture added a
/// constant 0x120 to make up for the difference), so the header's value is used. A PIE link may leave that word zero
/// in the file and put the value in a dynamic relocation, which is then read instead.
/// </para>
/// <para>
/// Nothing is copied: a look-up reads the memory-mapped file. <see cref="Find"/> first looks for the name in the name
/// table (one vectorized search), then walks the function table comparing name offsets only, so a miss costs the
/// search and a hit one pass over 8 bytes per function. The table is valid while its <see cref="ElfImage"/> is open.
/// Everything read is bounds-checked: a damaged table gives null, never an exception.
/// </para>
/// </remarks>
internal sealed class GoFunctionTable
{
    private const uint Go12Magic = 0xfffffffb;
    private const uint Go116Magic = 0xfffffffa;
    private const uint Go118Magic = 0xfffffff0;
    private const uint Go120Magic = 0xfffffff1;
    private const uint ShtRela = 4;
    private const uint RelocationX8664Relative = 8;
    private const uint RelocationAarch64Relative = 1027;
    private const int RelaEntrySize = 24;
    private const int MaxNameCandidates = 16;
    private const int MaxHeaderCandidates = 64;
    private const int MaxVersionLength = 256;

    private static readonly byte[] BuildInfoMagic = [0xff, .. " Go buildinf:"u8];
    private static readonly string[] SectionNames = [".gopclntab", ".data.rel.ro.gopclntab"];

    private readonly ElfImage _elf;
    private readonly int _fileOffset;
    private readonly int _length;
    private readonly int _pointerSize;
    private readonly bool _relativeEntries;
    private readonly int _functab;
    private readonly int _funcData;
    private readonly int _names;
    private readonly int _namesEnd;

    private GoFunctionTable(ElfImage elf, int fileOffset, int length, string format, int pointerSize, int count, ulong textStart,
        int functab, int funcData, int names, int namesEnd)
    {
        _elf = elf;
        _fileOffset = fileOffset;
        _length = length;
        Format = format;
        _pointerSize = pointerSize;
        _relativeEntries = textStart != 0;
        Count = count;
        TextStart = textStart;
        _functab = functab;
        _funcData = funcData;
        _names = names;
        _namesEnd = namesEnd;
    }

    /// <summary>The table's layout, named after the first Go release that wrote it: "1.2", "1.16", "1.18" or "1.20".</summary>
    public string Format { get; }

    /// <summary>How many functions the table lists.</summary>
    public int Count { get; }

    /// <summary>Where Go's code starts (<c>runtime.text</c>), which 1.18+ entries are relative to; 0 for older tables.</summary>
    public ulong TextStart { get; }

    /// <summary>
    /// The Go release that built the file (<c>go1.19.8</c>, <c>devel go1.23-…</c>), from its build information, or
    /// null when the file has none (before Go 1.13) or it cannot be read. Offsets into runtime structures (and the
    /// calling convention: registers since Go 1.17 on amd64) depend on it.
    /// </summary>
    public string? Version { get; private set; }

    /// <summary>
    /// The function table of <paramref name="elf"/>, or null when the file is not a Go executable or its table cannot
    /// be read. Reads the header and checks that the entries are in order and in code (a pass over the function table:
    /// 6 ms for 138,000 functions); names are only looked at by <see cref="Find"/>. The result is immutable: threads
    /// may share it while <paramref name="elf"/> stays open.
    /// </summary>
    public static GoFunctionTable? Read(ElfImage elf)
    {
        var version = ReadVersion(elf);
        foreach (var name in SectionNames)
        {
            if (elf.Section(name) is { } section && section.Type != 8 && section.Offset < (ulong)elf.Bytes.Length &&
                Parse(elf, (int)section.Offset, (int)Math.Min(section.Size, (ulong)elf.Bytes.Length - section.Offset), section.Address) is { } table)
            {
                table.Version = version;
                return table;
            }
        }
        // Without the section, a Go file still says it is one (build information since 1.13, the Go build-id note);
        // only then is the loaded data searched, so that other files cost nothing here.
        if ((elf.Section(".go.buildinfo") is null && elf.Section(".note.go.buildid") is null) || Search(elf) is not { } found)
        {
            return null;
        }
        found.Version = version;
        return found;
    }

    /// <summary>
    /// The function named <paramref name="name"/> as the Go toolchain spells it (<c>crypto/tls.(*Conn).Read</c>), or
    /// null. Its range runs to the next function's entry, so it includes the padding after its last instruction.
    /// </summary>
    public GoFunction? Find(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }
        var table = Table;
        var wanted = Encoding.UTF8.GetBytes(name + "\0");
        Span<int> candidates = stackalloc int[MaxNameCandidates];
        var candidateCount = 0;
        if (_namesEnd > _names)
        {
            candidateCount = NameCandidates(table[_names.._namesEnd], wanted, candidates);
            if (candidateCount == 0)
            {
                return null;
            }
        }
        var nameField = _relativeEntries ? 4 : _pointerSize;
        for (var index = 0; index < Count; index++)
        {
            var funcOffset = Field(table, index * 2 + 1);
            var record = _funcData + (long)funcOffset;
            if (funcOffset > (ulong)_length || record + nameField + 4 > _length)
            {
                continue;
            }
            var nameOffset = BinaryPrimitives.ReadInt32LittleEndian(table[(int)(record + nameField)..]);
            var matches = candidateCount > 0
                ? candidates[..candidateCount].Contains(nameOffset)
                : NameEquals(table, (long)_names + nameOffset, wanted);
            if (!matches)
            {
                continue;
            }
            // The record repeats its entry: a mismatch means the table is damaged here, not that this is the function.
            var entry = EntryAt(table, index);
            var recordEntry = _relativeEntries
                ? TextStart + BinaryPrimitives.ReadUInt32LittleEndian(table[(int)record..])
                : Word(table, (int)record);
            var end = EntryAt(table, index + 1);
            if (recordEntry == entry && end > entry)
            {
                return new GoFunction(name, entry, end);
            }
        }
        return null;
    }

    private ReadOnlySpan<byte> Table => _elf.Bytes.Slice(_fileOffset, _length);

    /// <summary>Reads the table whose header is at <paramref name="offset"/> in the file, or null when it is not one.</summary>
    private static GoFunctionTable? Parse(ElfImage elf, int offset, int length, ulong address)
    {
        var file = elf.Bytes;
        if (offset < 0 || length < 16 || (long)offset + length > file.Length)
        {
            return null;
        }
        var table = file.Slice(offset, length);
        var pointerSize = (int)table[7];
        if (table[4] != 0 || table[5] != 0 || table[6] is not (1 or 2 or 4) || pointerSize is not (4 or 8))
        {
            return null;
        }
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(table);
        var format = magic switch
        {
            Go12Magic => "1.2",
            Go116Magic => "1.16",
            Go118Magic => "1.18",
            Go120Magic => "1.20",
            _ => null,
        };
        var words = magic switch { Go12Magic => 1, Go116Magic => 7, _ => 8 };
        if (format is null || length < 8 + words * pointerSize)
        {
            return null;
        }
        var count = HeaderWord(table, pointerSize, 0);
        ulong functab, names, namesEnd;
        ulong textStart = 0;
        int fieldSize;
        switch (magic)
        {
            case Go12Magic:
                // Names and records are offsets from the table's start; names are spread among the records.
                functab = (ulong)(8 + pointerSize);
                names = 0;
                namesEnd = 0;
                fieldSize = pointerSize;
                break;
            case Go116Magic:
                names = HeaderWord(table, pointerSize, 2);
                namesEnd = HeaderWord(table, pointerSize, 3);
                functab = HeaderWord(table, pointerSize, 6);
                fieldSize = pointerSize;
                break;
            default:
                names = HeaderWord(table, pointerSize, 3);
                namesEnd = HeaderWord(table, pointerSize, 4);
                functab = HeaderWord(table, pointerSize, 7);
                fieldSize = 4;
                textStart = TextStartOf(elf, HeaderWord(table, pointerSize, 2), address == 0 ? 0 : address + (ulong)(8 + 2 * pointerSize));
                if (textStart == 0)
                {
                    return null;
                }
                break;
        }
        var functabSize = (count * 2 + 1) * (ulong)fieldSize;
        if (count == 0 || count > (ulong)length / 8 || functab > (ulong)length || functabSize > (ulong)length - functab ||
            names > (ulong)length || namesEnd > (ulong)length || (magic != Go12Magic && namesEnd <= names))
        {
            return null;
        }
        var funcData = magic == Go12Magic ? 0 : (int)functab;
        var result = new GoFunctionTable(elf, offset, length, format, pointerSize, (int)count, textStart, (int)functab, funcData, (int)names, (int)namesEnd);
        return result.EntriesAreCode() ? result : null;
    }

    /// <summary>Word <paramref name="index"/> of the header after its first 8 bytes.</summary>
    private static ulong HeaderWord(ReadOnlySpan<byte> table, int pointerSize, int index) => pointerSize == 8
        ? BinaryPrimitives.ReadUInt64LittleEndian(table[(8 + index * pointerSize)..])
        : BinaryPrimitives.ReadUInt32LittleEndian(table[(8 + index * pointerSize)..]);

    /// <summary>
    /// Where Go's code starts: the header's word when it points at code, else the value a relative relocation gives
    /// it (a PIE link may leave the word zero), else <c>.text</c>'s address (right for Go's own linker); 0 if none is.
    /// </summary>
    private static ulong TextStartOf(ElfImage elf, ulong recorded, ulong wordAddress)
    {
        if (recorded != 0 && elf.IsCode(recorded))
        {
            return recorded;
        }
        if (wordAddress != 0 && RelocatedValue(elf, wordAddress) is { } relocated && elf.IsCode(relocated))
        {
            return relocated;
        }
        return elf.Section(".text") is { } text && elf.IsCode(text.Address) ? text.Address : 0;
    }

    /// <summary>The addend of the relative relocation that fills the word at <paramref name="address"/>, or null.</summary>
    private static ulong? RelocatedValue(ElfImage elf, ulong address)
    {
        foreach (var section in elf.Sections)
        {
            if (section.Type != ShtRela)
            {
                continue;
            }
            var entries = elf.SectionBytes(section);
            for (var at = 0; at + RelaEntrySize <= entries.Length; at += RelaEntrySize)
            {
                if (BinaryPrimitives.ReadUInt64LittleEndian(entries[at..]) != address)
                {
                    continue;
                }
                var type = (uint)BinaryPrimitives.ReadUInt64LittleEndian(entries[(at + 8)..]);
                if (type is RelocationX8664Relative or RelocationAarch64Relative)
                {
                    return BinaryPrimitives.ReadUInt64LittleEndian(entries[(at + 16)..]);
                }
            }
        }
        return null;
    }

    /// <summary>Looks for a table header in the loaded, non-executable data (for files without the section).</summary>
    private static GoFunctionTable? Search(ElfImage elf)
    {
        var file = elf.Bytes;
        Span<byte> pattern = stackalloc byte[6];
        var tried = 0;
        foreach (var magic in new[] { Go120Magic, Go118Magic, Go116Magic, Go12Magic })
        {
            BinaryPrimitives.WriteUInt32LittleEndian(pattern, magic);
            pattern[4] = 0;
            pattern[5] = 0;
            foreach (var segment in elf.Segments)
            {
                if (segment.IsExecutable || segment.FileOffset >= (ulong)file.Length)
                {
                    continue;
                }
                var start = (int)segment.FileOffset;
                var data = file.Slice(start, (int)Math.Min(segment.FileSize, (ulong)file.Length - segment.FileOffset));
                for (var at = 0; tried < MaxHeaderCandidates;)
                {
                    var hit = data[at..].IndexOf(pattern);
                    if (hit < 0)
                    {
                        break;
                    }
                    at += hit;
                    tried++;
                    // The linker aligns the table; an unaligned match is data that happens to look like a header.
                    if (((segment.VirtualAddress + (ulong)at) & 7) == 0 && Parse(elf, start + at, data.Length - at, segment.VirtualAddress + (ulong)at) is { } table)
                    {
                        return table;
                    }
                    at++;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// The Go version from the build information blob (<c>.go.buildinfo</c>): since Go 1.18 the string follows the
    /// 32-byte header, length-prefixed; before, the header holds a pointer to a Go string header.
    /// </summary>
    private static string? ReadVersion(ElfImage elf)
    {
        if (elf.Section(".go.buildinfo") is not { } section)
        {
            return null;
        }
        var blob = elf.SectionBytes(section);
        if (blob.Length < 32 || !blob.StartsWith(BuildInfoMagic))
        {
            return null;
        }
        var pointerSize = blob[14];
        var flags = blob[15];
        if ((flags & 2) != 0)
        {
            var rest = blob[32..];
            if (!TryReadUvarint(ref rest, out var length) || length == 0 || length > MaxVersionLength || length > (ulong)rest.Length)
            {
                return null;
            }
            return Text(rest[..(int)length]);
        }
        if ((flags & 1) != 0 || pointerSize is not (4 or 8) || blob.Length < 16 + pointerSize)
        {
            return null;
        }
        ulong Pointer(ReadOnlySpan<byte> bytes) => pointerSize == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        var header = SafeAt(elf, Pointer(blob[16..]), 2 * pointerSize);
        if (header.Length < 2 * pointerSize)
        {
            return null;
        }
        var textLength = Pointer(header[pointerSize..]);
        if (textLength == 0 || textLength > MaxVersionLength)
        {
            return null;
        }
        var text = SafeAt(elf, Pointer(header), (int)textLength);
        return text.Length == (int)textLength ? Text(text) : null;
    }

    private static string? Text(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b < 0x20 || b == 0x7f)
            {
                return null;
            }
        }
        return Encoding.UTF8.GetString(bytes);
    }

    private static bool TryReadUvarint(ref ReadOnlySpan<byte> bytes, out ulong value)
    {
        value = 0;
        for (var i = 0; i < 10 && i < bytes.Length; i++)
        {
            value |= (ulong)(bytes[i] & 0x7f) << (7 * i);
            if (bytes[i] < 0x80)
            {
                bytes = bytes[(i + 1)..];
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// <see cref="ElfImage.At"/> for a file that may be damaged: nothing when the segment's file range runs past the
    /// end of the file (a truncated or altered program header), where <c>At</c> would throw.
    /// </summary>
    private static ReadOnlySpan<byte> SafeAt(ElfImage elf, ulong address, int count)
    {
        foreach (var segment in elf.Segments)
        {
            if (address >= segment.VirtualAddress && address - segment.VirtualAddress < segment.FileSize)
            {
                var inFile = (ulong)elf.Bytes.Length;
                return segment.FileOffset > inFile || segment.FileSize > inFile - segment.FileOffset ? [] : elf.At(address, count);
            }
        }
        return [];
    }

    /// <summary>Offsets (in the name table) at which <paramref name="wanted"/> (NUL included) is a whole name.</summary>
    private static int NameCandidates(ReadOnlySpan<byte> names, ReadOnlySpan<byte> wanted, Span<int> found)
    {
        var count = 0;
        for (var at = 0; count < found.Length;)
        {
            var hit = names[at..].IndexOf(wanted);
            if (hit < 0)
            {
                break;
            }
            at += hit;
            if (at == 0 || names[at - 1] == 0)
            {
                found[count++] = at;
            }
            at++;
        }
        return count;
    }

    private static bool NameEquals(ReadOnlySpan<byte> table, long at, ReadOnlySpan<byte> wanted) =>
        at >= 0 && at + wanted.Length <= table.Length && table.Slice((int)at, wanted.Length).SequenceEqual(wanted);

    /// <summary>Checks the entries are in order and lie in code: a table whose header only looks right fails here.</summary>
    private bool EntriesAreCode()
    {
        var table = Table;
        var previous = EntryAt(table, 0);
        if (!_elf.IsCode(previous))
        {
            return false;
        }
        for (var index = 1; index <= Count; index++)
        {
            var entry = EntryAt(table, index);
            if (entry < previous)
            {
                return false;
            }
            previous = entry;
        }
        return previous > EntryAt(table, 0) && _elf.IsCode(previous - 1);
    }

    /// <summary>Function <paramref name="index"/>'s entry (index <see cref="Count"/> gives the end of the last one).</summary>
    private ulong EntryAt(ReadOnlySpan<byte> table, int index) =>
        _relativeEntries ? TextStart + (ulong)Field(table, index * 2) : Field(table, index * 2);

    /// <summary>A field of the function table: 32 bits since 1.18, a pointer before.</summary>
    private ulong Field(ReadOnlySpan<byte> table, int field) => _relativeEntries
        ? BinaryPrimitives.ReadUInt32LittleEndian(table[(_functab + field * 4)..])
        : Word(table, _functab + field * _pointerSize);

    private ulong Word(ReadOnlySpan<byte> table, int at) => _pointerSize == 8
        ? BinaryPrimitives.ReadUInt64LittleEndian(table[at..])
        : BinaryPrimitives.ReadUInt32LittleEndian(table[at..]);
}
