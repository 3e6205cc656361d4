using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace AgentSight.Host.Capture.Discovery;

/// <summary>
/// The dynamic loader's library index (<c>/etc/ld.so.cache</c>), read directly: what <c>ldconfig -p</c> prints, without
/// starting a process for it (a child process and its output cost tens of milliseconds of every recording's start).
/// </summary>
/// <remarks>
/// glibc's format since 2.32 (<c>glibc-ld.so.cache1.1</c>, alone or after the old <c>ld.so-1.7.0</c> table): a 48-byte
/// header (magic, version, entry count, string table length, flags, extension offset), then 24-byte entries whose
/// name and path are offsets into the strings, counted from the header's start (glibc's <c>sysdeps/generic/dl-cache.h</c>).
/// </remarks>
internal static class LdSoCache
{
    public const string DefaultPath = "/etc/ld.so.cache";

    private const string NewMagic = "glibc-ld.so.cache1.1";
    private const string OldMagic = "ld.so-1.7.0";
    private const int NewHeaderSize = 48;
    private const int NewEntrySize = 24;
    private const int OldEntrySize = 12;
    private const int ElfLibc6 = 0x0003;
    private const int TypeMask = 0x00ff;
    private const int ArchitectureMask = 0xff00;

    /// <summary>One library the loader knows: the name it is asked for (<c>libssl.so.3</c>) and the file.</summary>
    public readonly record struct Entry(string Name, string Path);

    /// <summary>
    /// The entries for this process's architecture (ELF, glibc, 64-bit x86 or ARM), in the file's order; null when the
    /// file is missing, unreadable or not in a format read here (the caller then asks <c>ldconfig -p</c>).
    /// </summary>
    public static List<Entry>? Read(string path = DefaultPath)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return Parse(data, ThisArchitecture());
    }

    /// <summary>The entries of a cache image with the given architecture flag (<c>0x0300</c>: x86-64), or null.</summary>
    internal static List<Entry>? Parse(ReadOnlySpan<byte> data, int architecture)
    {
        var start = NewTableStart(data);
        if (start is not { } offset || data.Length < offset + NewHeaderSize)
        {
            return null;
        }
        var table = data[offset..];
        var count = BinaryPrimitives.ReadUInt32LittleEndian(table[20..]);
        if ((ulong)count * NewEntrySize > (ulong)(table.Length - NewHeaderSize))
        {
            return null;
        }
        var entries = new List<Entry>();
        for (var i = 0; i < (int)count; i++)
        {
            var entry = table.Slice(NewHeaderSize + (i * NewEntrySize), NewEntrySize);
            var flags = BinaryPrimitives.ReadInt32LittleEndian(entry);
            if ((flags & TypeMask) != ElfLibc6 || (flags & ArchitectureMask) != architecture)
            {
                continue;
            }
            var name = StringAt(table, BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]));
            var file = StringAt(table, BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]));
            if (name is null || file is null)
            {
                return null;
            }
            entries.Add(new Entry(name, file));
        }
        return entries;
    }

    /// <summary>Where the new-format table starts: at 0, or after the old table (aligned to 8), or null.</summary>
    private static int? NewTableStart(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(Encoding.ASCII.GetBytes(NewMagic)))
        {
            return 0;
        }
        var oldHeader = OldMagic.Length + 4;
        if (!data.StartsWith(Encoding.ASCII.GetBytes(OldMagic)) || data.Length < oldHeader)
        {
            return null;
        }
        var oldCount = BinaryPrimitives.ReadUInt32LittleEndian(data[OldMagic.Length..]);
        var end = (long)oldHeader + ((long)oldCount * OldEntrySize);
        var aligned = (end + 7) & ~7L;
        return aligned + NewMagic.Length <= data.Length && data[(int)aligned..].StartsWith(Encoding.ASCII.GetBytes(NewMagic))
            ? (int)aligned
            : null;
    }

    private static string? StringAt(ReadOnlySpan<byte> table, uint offset)
    {
        if (offset >= table.Length)
        {
            return null;
        }
        var rest = table[(int)offset..];
        var length = rest.IndexOf((byte)0);
        return length < 0 ? null : Encoding.UTF8.GetString(rest[..length]);
    }

    /// <summary>glibc's flag for libraries of this process's architecture (dl-cache.h's <c>FLAG_X8664_LIB64</c>, <c>FLAG_AARCH64_LIB64</c>).</summary>
    private static int ThisArchitecture() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0x0300,
        Architecture.Arm64 => 0x0a00,
        _ => -1,
    };
}
