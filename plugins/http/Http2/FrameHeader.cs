using System.Buffers.Binary;

namespace AgentSight.Plugins.Http.Http2;

/// <summary>HTTP/2 frame types (RFC 9113 §6).</summary>
internal static class FrameType
{
    public const byte Data = 0x0;
    public const byte Headers = 0x1;
    public const byte Priority = 0x2;
    public const byte RstStream = 0x3;
    public const byte Settings = 0x4;
    public const byte PushPromise = 0x5;
    public const byte Ping = 0x6;
    public const byte GoAway = 0x7;
    public const byte WindowUpdate = 0x8;
    public const byte Continuation = 0x9;
}

/// <summary>HTTP/2 frame flags (RFC 9113 §6).</summary>
internal static class FrameFlags
{
    public const byte EndStream = 0x1;
    public const byte Ack = 0x1;
    public const byte EndHeaders = 0x4;
    public const byte Padded = 0x8;
    public const byte Priority = 0x20;
}

/// <summary>The 9-byte header of an HTTP/2 frame (RFC 9113 §4.1).</summary>
internal readonly record struct FrameHeader(int Length, byte Type, byte Flags, int StreamId)
{
    public const int Size = 9;

    /// <summary>SETTINGS_MAX_FRAME_SIZE's initial value: frames no endpoint has allowed larger.</summary>
    public const int DefaultMaxFrameSize = 16384;

    public static FrameHeader Read(ReadOnlySpan<byte> bytes) => new(
        (bytes[0] << 16) | (bytes[1] << 8) | bytes[2],
        bytes[3],
        bytes[4],
        (int)(BinaryPrimitives.ReadUInt32BigEndian(bytes[5..]) & 0x7FFF_FFFF));

    public bool Has(byte flag) => (Flags & flag) != 0;

    /// <summary>
    /// True when the header breaks none of the rules a sender must follow for its type (stream 0 or not, fixed
    /// lengths, defined flags only). Unknown types are allowed (a receiver skips them).
    /// </summary>
    public bool IsValid()
    {
        return Type switch
        {
            FrameType.Data => StreamId != 0 && (Flags & ~(FrameFlags.EndStream | FrameFlags.Padded)) == 0,
            FrameType.Headers => StreamId != 0
                && (Flags & ~(FrameFlags.EndStream | FrameFlags.EndHeaders | FrameFlags.Padded | FrameFlags.Priority)) == 0,
            FrameType.Priority => StreamId != 0 && Flags == 0 && Length == 5,
            FrameType.RstStream => StreamId != 0 && Flags == 0 && Length == 4,
            FrameType.Settings => StreamId == 0 && (Flags & ~FrameFlags.Ack) == 0 && (Has(FrameFlags.Ack) ? Length == 0 : Length % 6 == 0),
            FrameType.PushPromise => StreamId != 0 && (Flags & ~(FrameFlags.EndHeaders | FrameFlags.Padded)) == 0 && Length >= 4,
            FrameType.Ping => StreamId == 0 && (Flags & ~FrameFlags.Ack) == 0 && Length == 8,
            FrameType.GoAway => StreamId == 0 && Flags == 0 && Length >= 8,
            FrameType.WindowUpdate => Flags == 0 && Length == 4,
            FrameType.Continuation => StreamId != 0 && (Flags & ~FrameFlags.EndHeaders) == 0,
            _ => true,
        };
    }

    /// <summary>
    /// True when the side that wrote the frame may send it on its stream: a client sends DATA, HEADERS and
    /// CONTINUATION only on the streams it opens (odd ones: pushed streams are closed to it) and never PUSH_PROMISE,
    /// which a server sends on a client's stream (RFC 9113 §5.1, §8.4).
    /// </summary>
    public bool IsPossibleFrom(bool client) => Type switch
    {
        FrameType.Data or FrameType.Headers or FrameType.Continuation => !client || (StreamId & 1) == 1,
        FrameType.PushPromise => !client && (StreamId & 1) == 1,
        _ => true,
    };

    /// <summary>True for the frame types RFC 9113 defines.</summary>
    public bool IsKnownType => Type <= FrameType.Continuation;
}
