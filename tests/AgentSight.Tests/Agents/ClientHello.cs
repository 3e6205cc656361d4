using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AgentSight.Tests.Agents;

/// <summary>Reads the ALPN protocols a client offered from its TLS ClientHello (records as they arrived).</summary>
internal static class ClientHello
{
    private const int AlpnExtension = 0x0010;

    /// <summary>The offered protocols in order; empty when the hello has no ALPN extension or cannot be read.</summary>
    public static IReadOnlyList<string> OfferedAlpn(ReadOnlySequence<byte> records)
    {
        try
        {
            return Parse(Handshake(records.ToArray()));
        }
        catch (ArgumentOutOfRangeException)
        {
            return [];
        }
    }

    // Joins the fragments of the handshake messages of the leading handshake records (content type 22).
    private static byte[] Handshake(byte[] records)
    {
        var handshake = new List<byte>();
        var at = 0;
        while (at + 5 <= records.Length && records[at] == 22)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(records.AsSpan(at + 3));
            handshake.AddRange(records.AsSpan(at + 5, Math.Min(length, records.Length - at - 5)));
            at += 5 + length;
        }
        return [.. handshake];
    }

    private static List<string> Parse(byte[] hello)
    {
        var offered = new List<string>();
        if (hello.Length < 4 || hello[0] != 1)
        {
            return offered;
        }
        var at = 4 + 2 + 32; // handshake header, legacy version, random
        at += 1 + hello[at]; // session id
        at += 2 + BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(at)); // cipher suites
        at += 1 + hello[at]; // compression methods
        var end = Math.Min(hello.Length, at + 2 + BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(at)));
        at += 2;
        while (at + 4 <= end)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(at));
            var length = BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(at + 2));
            if (type == AlpnExtension)
            {
                var list = at + 6;
                var listEnd = Math.Min(end, list + BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(at + 4)));
                while (list < listEnd)
                {
                    var size = hello[list];
                    offered.Add(Encoding.ASCII.GetString(hello, list + 1, size));
                    list += 1 + size;
                }
                break;
            }
            at += 4 + length;
        }
        return offered;
    }
}
