using System.Runtime.InteropServices;
using System.Text;

namespace AgentSight.Host.Capture;

/// <summary>
/// Process names from the kernel's 16-byte comm fields, as strings made once per distinct name: a busy process
/// sends thousands of records with the same comm, and each would otherwise allocate its own string.
/// </summary>
internal sealed class CommNames
{
    private const int MaxEntries = 4096;
    private readonly Dictionary<(ulong, ulong), string> _names = [];

    public string Get(in CommBytes comm)
    {
        ReadOnlySpan<byte> bytes = comm;
        var key = (MemoryMarshal.Read<ulong>(bytes), MemoryMarshal.Read<ulong>(bytes[8..]));
        if (_names.TryGetValue(key, out var name))
        {
            return name;
        }
        if (_names.Count >= MaxEntries)
        {
            _names.Clear();
        }
        var length = bytes.IndexOf((byte)0);
        name = Encoding.UTF8.GetString(length < 0 ? bytes : bytes[..length]);
        _names[key] = name;
        return name;
    }

    /// <summary>Encodes a name as the kernel stores it: at most 15 bytes and a NUL.</summary>
    public static byte[] Encode(string name)
    {
        var bytes = new byte[RecordLayout.CommLength];
        var utf8 = Encoding.UTF8.GetBytes(name);
        utf8.AsSpan(0, Math.Min(utf8.Length, RecordLayout.CommLength - 1)).CopyTo(bytes);
        return bytes;
    }
}
