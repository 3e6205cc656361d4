using System.Buffers.Binary;

namespace AgentSight.Tests.Analyzers.Http2.Wire;

/// <summary>HTTP/2 frames as a sender writes them (RFC 9113 §6), for tests and the benchmark.</summary>
internal static class H2Frames
{
    public static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static byte[] Frame(byte type, byte flags, int stream, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }

    public static byte[] Settings(params (ushort Id, uint Value)[] settings)
    {
        var payload = new byte[settings.Length * 6];
        for (var i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(i * 6), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan((i * 6) + 2), settings[i].Value);
        }
        return Frame(0x4, 0, 0, payload);
    }

    public static byte[] SettingsAck() => Frame(0x4, 0x1, 0, []);

    public static byte[] Ping(bool ack = false) => Frame(0x6, ack ? (byte)1 : (byte)0, 0, new byte[8]);

    public static byte[] WindowUpdate(int stream, int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        return Frame(0x8, 0, stream, payload);
    }

    public static byte[] RstStream(int stream, uint code = 0x8)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, code);
        return Frame(0x3, 0, stream, payload);
    }

    public static byte[] GoAway(int lastStream, uint code = 0)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, lastStream);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), code);
        return Frame(0x7, 0, 0, payload);
    }

    public static byte[] Priority(int stream, int dependency, byte weight)
    {
        var payload = new byte[5];
        BinaryPrimitives.WriteInt32BigEndian(payload, dependency);
        payload[4] = weight;
        return Frame(0x2, 0, stream, payload);
    }

    public static byte[] Data(int stream, ReadOnlySpan<byte> data, bool endStream, int padding = -1)
    {
        if (padding < 0)
        {
            return Frame(0x0, endStream ? (byte)1 : (byte)0, stream, data);
        }
        var payload = new byte[1 + data.Length + padding];
        payload[0] = (byte)padding;
        data.CopyTo(payload.AsSpan(1));
        return Frame(0x0, (byte)((endStream ? 1 : 0) | 0x8), stream, payload);
    }

    /// <summary>
    /// A header block as HEADERS and CONTINUATION frames of at most <paramref name="maxFragment"/> bytes of block each;
    /// optionally padded, with a priority.
    /// </summary>
    public static byte[] Headers(int stream, byte[] block, bool endStream, int maxFragment = 16384, int padding = -1, bool priority = false)
    {
        var frames = new List<byte>();
        var first = block.AsSpan(0, Math.Min(block.Length, maxFragment));
        var prefix = new List<byte>();
        byte flags = endStream ? (byte)1 : (byte)0;
        if (padding >= 0)
        {
            prefix.Add((byte)padding);
            flags |= 0x8;
        }
        if (priority)
        {
            prefix.AddRange([0, 0, 0, 0, 15]);
            flags |= 0x20;
        }
        if (first.Length == block.Length)
        {
            flags |= 0x4;
        }
        frames.AddRange(Frame(0x1, flags, stream, [.. prefix, .. first, .. new byte[Math.Max(0, padding)]]));
        for (var at = first.Length; at < block.Length; at += maxFragment)
        {
            var fragment = block.AsSpan(at, Math.Min(maxFragment, block.Length - at));
            frames.AddRange(Frame(0x9, at + fragment.Length == block.Length ? (byte)0x4 : (byte)0, stream, fragment));
        }
        return [.. frames];
    }

    /// <summary>A PUSH_PROMISE of <paramref name="promised"/> on <paramref name="stream"/>, whole in one frame.</summary>
    public static byte[] PushPromise(int stream, int promised, byte[] block)
    {
        var payload = new byte[4 + block.Length];
        BinaryPrimitives.WriteInt32BigEndian(payload, promised);
        block.CopyTo(payload, 4);
        return Frame(0x5, 0x4, stream, payload);
    }
}
