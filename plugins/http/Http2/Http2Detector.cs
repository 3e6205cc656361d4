using System.Buffers.Binary;

namespace AgentSight.Plugins.Http.Http2;

/// <summary>What the start of a direction says about HTTP/2: the client's connection preface, or frames.</summary>
internal static class Http2Detector
{
    /// <summary>The client connection preface (RFC 9113 §3.4).</summary>
    public static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public static int PrefaceLength => Preface.Length;

    /// <summary>
    /// How <paramref name="bytes"/> (the first bytes of a direction) compare with the preface: 1 when they begin with
    /// all of it, 0 when they are a shorter prefix of it, -1 when they differ.
    /// </summary>
    public static int MatchPreface(ReadOnlySpan<byte> bytes)
    {
        var preface = Preface;
        var n = Math.Min(bytes.Length, preface.Length);
        if (!bytes[..n].SequenceEqual(preface[..n]))
        {
            return -1;
        }
        return n == preface.Length ? 1 : 0;
    }

    /// <summary>
    /// True when a read or write seen without the connection's start begins at a frame boundary of HTTP/2: whole
    /// frames that follow every rule a sender must (defined types and flags, stream 0 or not, fixed lengths, no
    /// frame larger than the default 16 KiB limit, padding inside the frame, sane settings), possibly ending in
    /// the start of another. Text and the other protocols met in TLS never pass: their first bytes make a length
    /// or a type no sender writes.
    /// </summary>
    /// <param name="fromClient">The side that wrote the bytes, when known: each frame must be one it may send.</param>
    public static bool LooksLikeFrames(ReadOnlySpan<byte> data, bool? fromClient = null)
    {
        var pos = 0;
        var evidence = 0;
        while (data.Length - pos >= FrameHeader.Size)
        {
            var header = FrameHeader.Read(data[pos..]);
            if ((data[pos + 5] & 0x80) != 0 || !IsPlausible(header, fromClient))
            {
                return false;
            }
            var available = Math.Min(header.Length, data.Length - pos - FrameHeader.Size);
            if (!PayloadPlausible(header, data.Slice(pos + FrameHeader.Size, available), available == header.Length))
            {
                return false;
            }
            if (available < header.Length)
            {
                // The read ends inside this frame: whole frames must have come before it. A read that is all one
                // partial frame is not evidence enough (the connection is found at a later read).
                return evidence > 0;
            }
            pos += FrameHeader.Size + header.Length;
            // A frame with a payload checks more than its header alone: nine bytes of zeros are an empty frame.
            evidence += header.Length > 0 ? 2 : 1;
        }
        if (pos == data.Length)
        {
            return evidence >= 2;
        }
        // The start of one more frame header: its length so far must be possible. Cut so short, it checks too little
        // for a single frame before it: a SETTINGS payload (ids and values with zeros around them) reads as a small
        // DATA frame followed by the zeros of a header.
        return evidence >= 3 && data[pos] == 0;
    }

    /// <summary>
    /// True for a frame header a sender writes: a defined type and flags, stream 0 or not as the type says, no longer
    /// than the default 16 KiB limit, a stream id a connection may have reached, and (when known) one the side sends.
    /// </summary>
    public static bool IsPlausible(FrameHeader header, bool? fromClient) =>
        header.IsKnownType && header.IsValid() && header.Length <= FrameHeader.DefaultMaxFrameSize && header.StreamId < MaxPlausibleStreamId
        && (fromClient is not { } client || header.IsPossibleFrom(client));

    /// <summary>Stream ids a connection found in its middle may have: a million requests on one connection is past any seen.</summary>
    private const int MaxPlausibleStreamId = 1 << 20;

    /// <summary>
    /// Checks what can be checked of a payload from its first <paramref name="payload"/> bytes (all of it when
    /// <paramref name="whole"/>): padding inside the frame and zero, header blocks that are well-formed HPACK, no empty
    /// frame a sender has no reason to write.
    /// </summary>
    private static bool PayloadPlausible(FrameHeader header, ReadOnlySpan<byte> payload, bool whole)
    {
        switch (header.Type)
        {
            case FrameType.Data or FrameType.Headers or FrameType.PushPromise or FrameType.Continuation:
            {
                if (header.Length == 0 && !(header.Type == FrameType.Data && header.Has(FrameFlags.EndStream)))
                {
                    return false;
                }
                var padded = header.Type != FrameType.Continuation && header.Has(FrameFlags.Padded);
                var pad = padded && !payload.IsEmpty ? payload[0] : 0;
                var prefix = (padded ? 1 : 0) + (header.Type == FrameType.Headers && header.Has(FrameFlags.Priority) ? 5 : 0)
                    + (header.Type == FrameType.PushPromise ? 4 : 0);
                if (prefix + pad > header.Length)
                {
                    return false;
                }
                if (!whole)
                {
                    return true;
                }
                if (payload[(header.Length - pad)..].ContainsAnyExcept((byte)0))
                {
                    return false;
                }
                var block = payload[prefix..(header.Length - pad)];
                return header.Type == FrameType.Data || !header.Has(FrameFlags.EndHeaders) || header.Type == FrameType.Continuation
                    || HpackDecoder.IsWellFormed(block);
            }
            case FrameType.Settings:
                for (var i = 0; i + 6 <= payload.Length; i += 6)
                {
                    var id = BinaryPrimitives.ReadUInt16BigEndian(payload[i..]);
                    var value = BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
                    var valid = id switch
                    {
                        0 => false,
                        2 => value <= 1,
                        4 => value <= int.MaxValue,
                        5 => value is >= FrameHeader.DefaultMaxFrameSize and <= 0xFFFFFF,
                        8 => value <= 1,
                        _ => true,
                    };
                    if (!valid)
                    {
                        return false;
                    }
                }
                return true;
            case FrameType.WindowUpdate:
                return payload.Length < 4 || (BinaryPrimitives.ReadUInt32BigEndian(payload) is var increment && increment is > 0 and <= int.MaxValue);
            case FrameType.GoAway:
                return payload.IsEmpty || (payload[0] & 0x80) == 0;
            default:
                return true;
        }
    }
}
