using System.Buffers.Binary;
using System.Text;

namespace AgentSight.Host.Capture.Network;

/// <summary>
/// What a TLS ClientHello says about the connection it starts: the server name (SNI), the application protocols
/// offered (ALPN) and whether TLS 1.3 is offered. Read from the first bytes of the record, as the kernel copied them;
/// a cut or malformed hello gives what could be read.
/// </summary>
internal sealed record ClientHello(string? ServerName, IReadOnlyList<string> Protocols, bool OffersTls13)
{
    private const int ServerNameExtension = 0;
    private const int AlpnExtension = 16;
    private const int SupportedVersionsExtension = 43;

    /// <summary>Parses a TLS record carrying a ClientHello; null when it is not one.</summary>
    public static ClientHello? Parse(ReadOnlySpan<byte> record)
    {
        // Record: type 0x16, version, length; handshake: type 1, 24-bit length.
        if (record.Length < 9 || record[0] != 0x16 || record[5] != 1)
        {
            return null;
        }
        var body = record[9..];
        string? serverName = null;
        var protocols = new List<string>();
        var tls13 = false;
        // client_version(2) random(32), then session_id, cipher_suites, compression_methods.
        var position = 34;
        if (!Skip(body, ref position, 1) || !Skip(body, ref position, 2) || !Skip(body, ref position, 1) || position + 2 > body.Length)
        {
            return new ClientHello(null, protocols, false);
        }
        var extensionsEnd = Math.Min(body.Length, position + 2 + BinaryPrimitives.ReadUInt16BigEndian(body[position..]));
        position += 2;
        while (position + 4 <= extensionsEnd)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(body[position..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(body[(position + 2)..]);
            position += 4;
            if (position + length > extensionsEnd)
            {
                break; // cut by the capture: keep what was read
            }
            var data = body.Slice(position, length);
            switch (type)
            {
                case ServerNameExtension when data.Length >= 5 && data[2] == 0:
                    var nameLength = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
                    if (5 + nameLength <= data.Length)
                    {
                        serverName = Encoding.ASCII.GetString(data.Slice(5, nameLength));
                    }
                    break;
                case AlpnExtension when data.Length >= 2:
                    for (var i = 2; i < data.Length;)
                    {
                        var protocolLength = data[i];
                        if (i + 1 + protocolLength > data.Length)
                        {
                            break;
                        }
                        protocols.Add(Encoding.ASCII.GetString(data.Slice(i + 1, protocolLength)));
                        i += 1 + protocolLength;
                    }
                    break;
                case SupportedVersionsExtension when data.Length >= 1:
                    for (var i = 1; i + 1 < data.Length && i <= data[0]; i += 2)
                    {
                        tls13 |= data[i] == 3 && data[i + 1] == 4;
                    }
                    break;
            }
            position += length;
        }
        return new ClientHello(serverName, protocols, tls13);
    }

    /// <summary>Skips a vector with a <paramref name="lengthBytes"/>-byte length prefix.</summary>
    private static bool Skip(ReadOnlySpan<byte> body, ref int position, int lengthBytes)
    {
        if (position + lengthBytes > body.Length)
        {
            return false;
        }
        var length = lengthBytes == 1 ? body[position] : BinaryPrimitives.ReadUInt16BigEndian(body[position..]);
        position += lengthBytes + length;
        return position <= body.Length;
    }
}
