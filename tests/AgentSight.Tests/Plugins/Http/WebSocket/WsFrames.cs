using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AgentSight.Tests.Analyzers.Http.WebSocket;

/// <summary>WebSocket frames (RFC 6455 §5.2) and the upgrade around them, written as a sender writes them.</summary>
internal static class WsFrames
{
    public const string Upgrade =
        "GET /v1/realtime HTTP/1.1\r\nHost: api.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    public static string Switching(string extensions = "") =>
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
        + (extensions.Length > 0 ? $"Sec-WebSocket-Extensions: {extensions}\r\n" : "") + "\r\n";

    /// <summary>One frame; masked with a fixed key when <paramref name="masked"/> (a client's frame).</summary>
    public static byte[] Frame(int opcode, ReadOnlySpan<byte> payload, bool fin = true, bool masked = false, bool rsv1 = false)
    {
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode) };
        var maskBit = masked ? 0x80 : 0;
        if (payload.Length < 126)
        {
            header.Add((byte)(maskBit | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            header.Add((byte)(maskBit | 126));
            header.Add((byte)(payload.Length >> 8));
            header.Add((byte)payload.Length);
        }
        else
        {
            header.Add((byte)(maskBit | 127));
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            header.AddRange(length);
        }
        byte[] key = [0x37, 0xFA, 0x21, 0x3D];
        if (masked)
        {
            header.AddRange(key);
        }
        var body = payload.ToArray();
        if (masked)
        {
            for (var i = 0; i < body.Length; i++)
            {
                body[i] ^= key[i % 4];
            }
        }
        return [.. header, .. body];
    }

    public static byte[] Text(string text, bool fin = true, bool masked = false) => Frame(1, Encoding.UTF8.GetBytes(text), fin, masked);

    /// <summary>A continuation frame of text.</summary>
    public static byte[] More(string text, bool fin = true, bool masked = false) => Frame(0, Encoding.UTF8.GetBytes(text), fin, masked);

    /// <summary>Raw deflate of one message with its sync-flush tail removed (RFC 7692 §7.2.1), with a fresh context.</summary>
    public static byte[] Deflate(string text)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(Encoding.UTF8.GetBytes(text));
            deflate.Flush();
        }
        var bytes = output.ToArray();
        // Flush ends in an empty stored block (00 00 ff ff); dispose appends a final empty block (03 00): both go.
        var end = bytes.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0x00, 0x00, 0xFF, 0xFF]);
        return bytes[..end];
    }
}
