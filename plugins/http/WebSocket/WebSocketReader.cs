using System.Buffers.Binary;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.Buffers;

namespace AgentSight.Plugins.Http.WebSocket;

/// <summary>
/// The frames of one direction of a WebSocket connection (RFC 6455 §5), from any split of reads or writes: a header
/// gathered across reads (at most 14 bytes), payloads unmasked as they come, a data message gathered from its
/// frames until FIN (control frames may come between them), and compressed messages inflated as they come.
/// </summary>
internal sealed class WebSocketReader : IDisposable
{
    private const int MaxHeader = 14;
    private const int MaxControlPayload = 125;

    private readonly WebSocketConnection _connection;
    private readonly byte[] _header = new byte[MaxHeader];
    private readonly byte[] _control = new byte[MaxControlPayload];
    private readonly ByteBuffer _message = new();
    private readonly ByteSink _keep;
    private readonly bool _contextTakeover;
    private WebSocketInflater? _inflater;

    /// <summary>Bytes of <see cref="_header"/> gathered so far.</summary>
    private int _headerLength;

    /// <summary>The frame whose payload is being read, or null between frames.</summary>
    private Frame? _frame;

    /// <summary>The data message in progress (its first frame came, its FIN frame not yet), or null.</summary>
    private MessageState? _current;

    /// <summary>Frames broke the rules, or bytes were lost between frames: nothing more is read in this direction.</summary>
    private bool _lost;

    /// <summary>True once this direction stopped being read: its bytes go on as they came.</summary>
    public bool Lost => _lost;

    public WebSocketReader(WebSocketConnection connection, bool fromClient, bool deflate, bool contextTakeover)
    {
        _connection = connection;
        FromClient = fromClient;
        Deflate = deflate;
        _contextTakeover = contextTakeover;
        _keep = Keep;
    }

    /// <summary>The client's frames (masked), or the server's.</summary>
    public bool FromClient { get; }

    /// <summary>permessage-deflate was agreed: RSV1 marks a compressed message.</summary>
    public bool Deflate { get; }

    public long BufferedBytes => _message.Capacity;

    /// <summary>Reads the bytes of one read or write; <paramref name="lost"/> bytes the capture did not get follow them.</summary>
    public void Feed(ReadOnlySpan<byte> data, long lost, AgentEvent evt)
    {
        while (!data.IsEmpty && !_lost)
        {
            if (_frame is null)
            {
                var take = Math.Min(data.Length, Needed() - _headerLength);
                data[..take].CopyTo(_header.AsSpan(_headerLength));
                _headerLength += take;
                data = data[take..];
                if (_headerLength == Needed())
                {
                    StartFrame(evt);
                }
            }
            else
            {
                data = data[Payload(data, evt)..];
            }
        }
        if (lost > 0 && !_lost)
        {
            Lose(lost, evt);
        }
    }

    /// <summary>Drops the message in progress (the connection is cut, or idle): framing goes on where it is.</summary>
    public void Drop()
    {
        if (_current is { } current)
        {
            current.Truncated = true;
            current.Keep = false;
        }
        _connection.Analyzer.Release(_message.Release());
    }

    public void Dispose()
    {
        _connection.Analyzer.Release(_message.Release());
        _inflater?.Dispose();
        _inflater = null;
    }

    /// <summary>Header bytes needed, as far as the ones gathered tell: 2, then the extended length and the mask key.</summary>
    private int Needed()
    {
        if (_headerLength < 2)
        {
            return 2;
        }
        var length7 = _header[1] & 0x7F;
        return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((_header[1] & 0x80) != 0 ? 4 : 0);
    }

    private void StartFrame(AgentEvent evt)
    {
        var header = _header.AsSpan(0, _headerLength);
        _headerLength = 0;
        var fin = (header[0] & 0x80) != 0;
        var rsv1 = (header[0] & 0x40) != 0;
        var opcode = (WebSocketOpcode)(header[0] & 0x0F);
        var masked = (header[1] & 0x80) != 0;
        var length7 = header[1] & 0x7F;
        var at = 2;
        long length = length7;
        if (length7 == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(header[at..]);
            at += 2;
        }
        else if (length7 == 127)
        {
            var length64 = BinaryPrimitives.ReadUInt64BigEndian(header[at..]);
            at += 8;
            // The most significant bit must be 0 (§5.2): a length past 2^63 is not a frame.
            if (length64 > long.MaxValue)
            {
                Error();
                return;
            }
            length = (long)length64;
        }
        var mask = masked ? BinaryPrimitives.ReadUInt32LittleEndian(header[at..]) : 0u;

        var control = opcode >= WebSocketOpcode.Close;
        bool valid;
        if ((header[0] & 0x30) != 0 || !Enum.IsDefined(opcode))
        {
            // RSV2 and RSV3 belong to extensions never agreed here; the other opcodes are reserved.
            valid = false;
        }
        else if (control)
        {
            valid = fin && length <= MaxControlPayload && !rsv1;
        }
        else if (opcode == WebSocketOpcode.Continuation)
        {
            // RSV1 marks a compressed message on its first frame only (RFC 7692 §6.1).
            valid = _current is not null && !rsv1;
        }
        else
        {
            valid = _current is null && (!rsv1 || Deflate);
        }
        if (!valid)
        {
            Error();
            return;
        }

        var frame = new Frame(opcode, fin, length, mask);
        if (!control)
        {
            if (_current is null)
            {
                _current = new MessageState(opcode, rsv1, evt.Timestamp);
                if (rsv1)
                {
                    BeginInflate();
                }
            }
            _current.Frames++;
        }
        _frame = frame;
        if (length == 0)
        {
            EndFrame(evt);
        }
    }

    /// <summary>Reads payload bytes of the current frame from <paramref name="data"/>; returns how many it took.</summary>
    private int Payload(ReadOnlySpan<byte> data, AgentEvent evt)
    {
        var frame = _frame!;
        var take = (int)Math.Min(frame.Remaining, data.Length);
        // Unmasked in pieces on the stack: the key repeats every 4 bytes, so each piece starts at the frame's offset.
        Span<byte> scratch = stackalloc byte[1024];
        var rest = data[..take];
        while (!rest.IsEmpty)
        {
            var piece = scratch[..Math.Min(scratch.Length, rest.Length)];
            rest[..piece.Length].CopyTo(piece);
            rest = rest[piece.Length..];
            if (frame.Mask != 0)
            {
                Unmask(piece, frame.Mask, frame.Read);
            }
            frame.Read += piece.Length;
            if (frame.Opcode >= WebSocketOpcode.Close)
            {
                piece.CopyTo(_control.AsSpan((int)(frame.Read - piece.Length)));
            }
            else
            {
                MessageBytes(piece);
            }
        }
        if (frame.Remaining == 0)
        {
            EndFrame(evt);
        }
        return take;
    }

    private void MessageBytes(ReadOnlySpan<byte> payload)
    {
        var current = _current!;
        current.WireSize += payload.Length;
        if (!current.Compressed)
        {
            Keep(payload);
        }
        else if (_inflater is { Broken: false } inflater && !current.InflateFailed)
        {
            inflater.Inflate(payload, _connection.Limits, _keep);
            current.InflateFailed = inflater.Broken;
        }
    }

    /// <summary>Decoded message bytes: counted, and kept up to <c>max_body_bytes</c>.</summary>
    private void Keep(ReadOnlySpan<byte> bytes)
    {
        var current = _current!;
        current.Size += bytes.Length;
        if (!current.Keep)
        {
            return;
        }
        var room = _connection.MaxMessageBytes - _message.Length;
        if (bytes.Length > room)
        {
            current.Truncated = true;
            current.Keep = false;
            bytes = bytes[..(int)Math.Max(0, room)];
        }
        _connection.Analyzer.Grow(_message.Append(bytes));
    }

    private void EndFrame(AgentEvent evt)
    {
        var frame = _frame!;
        _frame = null;
        if (frame.Opcode >= WebSocketOpcode.Close)
        {
            _connection.EmitControl(this, frame.Opcode, _control.AsSpan(0, (int)frame.Length), evt);
            return;
        }
        if (!frame.Fin)
        {
            return;
        }
        var current = _current!;
        _current = null;
        if (current.Compressed)
        {
            EndInflate(current);
        }
        _connection.EmitMessage(this, current.Opcode, current.Compressed ? current.WireSize : null,
            current.InflateFailed ? null : current.Size, current.InflateFailed ? default : _message.Span, current.Truncated, current.Frames, current.StartNs, evt);
        _message.Clear();
        if (_message.Capacity > 64 * 1024)
        {
            // A large message's array goes back to the pool: a connection idles between messages for long.
            _connection.Analyzer.Release(_message.Release());
        }
    }

    private void BeginInflate()
    {
        _inflater ??= new WebSocketInflater();
        _inflater.BeginMessage();
        if (_inflater.Broken)
        {
            // Under context takeover a message refers to the ones before it: once one was not read, none after is.
            _current!.InflateFailed = true;
        }
    }

    private void EndInflate(MessageState current)
    {
        var inflater = _inflater!;
        if (!current.InflateFailed)
        {
            inflater.Inflate(WebSocketInflater.Tail, _connection.Limits, _keep);
            current.InflateFailed = inflater.Broken;
        }
        if (current.InflateFailed)
        {
            _connection.Counters.InflateFailures.Add();
        }
        if (!_contextTakeover)
        {
            inflater.Dispose();
            _inflater = null;
        }
    }

    /// <summary>The capture lost bytes: inside a payload they are skipped (the message is cut), between frames the direction is lost.</summary>
    private void Lose(long lost, AgentEvent evt)
    {
        if (_frame is { } frame && _headerLength == 0 && lost <= frame.Remaining)
        {
            frame.Read += lost;
            if (frame.Opcode < WebSocketOpcode.Close)
            {
                var current = _current!;
                current.WireSize += lost;
                if (!current.Compressed)
                {
                    // Lost bytes of a plain message are still its bytes: its size is known.
                    current.Size += lost;
                }
                current.Truncated = true;
                current.Keep = false;
                // A compressed stream with a hole cannot be inflated past it, nor (context takeover) any message after it.
                if (current.Compressed && !current.InflateFailed)
                {
                    current.InflateFailed = true;
                    _inflater?.Break();
                }
            }
            if (frame.Remaining == 0)
            {
                EndFrame(evt);
            }
            return;
        }
        Error();
    }

    private void Error()
    {
        _connection.Counters.ProtocolErrors.Add();
        _lost = true;
        _frame = null;
        _current = null;
        _headerLength = 0;
        Dispose();
    }

    /// <summary>XORs <paramref name="bytes"/> with the key, the first byte being payload byte <paramref name="offset"/>.</summary>
    private static void Unmask(Span<byte> bytes, uint mask, long offset)
    {
        // The key's bytes as they were on the wire (read little-endian, so byte 0 is the lowest).
        var shift = (int)(offset & 3) * 8;
        var rotated = shift == 0 ? mask : (mask >> shift) | (mask << (32 - shift));
        var i = 0;
        for (; i + 4 <= bytes.Length; i += 4)
        {
            var word = BinaryPrimitives.ReadUInt32LittleEndian(bytes[i..]) ^ rotated;
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[i..], word);
        }
        for (; i < bytes.Length; i++)
        {
            bytes[i] ^= (byte)(rotated >> ((i & 3) * 8));
        }
    }

    private sealed class Frame(WebSocketOpcode opcode, bool fin, long length, uint mask)
    {
        public WebSocketOpcode Opcode { get; } = opcode;

        public bool Fin { get; } = fin;

        public long Length { get; } = length;

        public uint Mask { get; } = mask;

        public long Read { get; set; }

        public long Remaining => Length - Read;
    }

    private sealed class MessageState(WebSocketOpcode opcode, bool compressed, long startNs)
    {
        public WebSocketOpcode Opcode { get; } = opcode;

        public bool Compressed { get; } = compressed;

        public long StartNs { get; } = startNs;

        public int Frames { get; set; }

        /// <summary>Payload bytes on the wire (compressed, for a compressed message).</summary>
        public long WireSize { get; set; }

        /// <summary>Decoded bytes (decompressed).</summary>
        public long Size { get; set; }

        public bool Keep { get; set; } = true;

        public bool Truncated { get; set; }

        public bool InflateFailed { get; set; }
    }
}

/// <summary>Frame opcodes (RFC 6455 §5.2).</summary>
internal enum WebSocketOpcode
{
    Continuation = 0,
    Text = 1,
    Binary = 2,
    Close = 8,
    Ping = 9,
    Pong = 10,
}
