using AgentSight.Contracts;
using AgentSight.Plugins.Common.Buffers;

namespace AgentSight.Plugins.Http;

/// <summary>
/// One direction of one connection: finds message boundaries in the byte stream, parses heads, undoes chunked
/// and content encodings, and hands messages to the connection. Any split of the bytes into reads gives the same
/// messages: every piece of state (head bytes, line lengths, chunk sizes, decompressors) carries across calls.
/// </summary>
internal sealed class MessageStream : IBodyTarget
{
    private readonly HttpConnection _connection;
    private readonly HttpAnalyzer _analyzer;
    private readonly ByteBuffer _head = new();
    private readonly List<AgentEvent> _held = [];
    private State _state = State.AwaitStart;
    private int _lineLength;
    private bool _startLineDone;
    private long _headStartNs;
    private MessageKind _headKind;
    private long _remaining;
    private ChunkedDecoder? _chunked;
    private ContentDecoder? _decoder;
    private HttpMessage? _message;
    private HttpExchange? _exchange;
    private bool _pieceOpen;
    private bool _discard;
    private long _now;
    private DecodedTarget? _decoded;

    public MessageStream(HttpConnection connection, HttpAnalyzer analyzer, bool isWrite)
    {
        _connection = connection;
        _analyzer = analyzer;
        IsWrite = isWrite;
    }

    private enum State
    {
        /// <summary>Between messages.</summary>
        AwaitStart,

        /// <summary>Gathering a start line and headers.</summary>
        Head,

        /// <summary>A body of known length.</summary>
        BodyLength,

        /// <summary>A chunked body.</summary>
        BodyChunked,

        /// <summary>A response body that ends when the connection closes.</summary>
        BodyUntilClose,

        /// <summary>Not HTTP (or lost track): bytes pass on as raw events until a read starts with a start line.</summary>
        Opaque,

        /// <summary>After a protocol switch: never HTTP again on this connection.</summary>
        Upgraded,
    }

    public bool IsWrite { get; }

    /// <summary>What this direction carries: requests or responses (unknown until a start line or the role says).</summary>
    public MessageKind Kind { get; set; }

    /// <summary>True when a message (or head) is in progress.</summary>
    public bool InMessage => _state is State.Head or State.BodyLength or State.BodyChunked or State.BodyUntilClose;

    /// <summary>True when the current response runs until the connection closes.</summary>
    public bool UntilClose => _state == State.BodyUntilClose;

    /// <summary>True when the stream lost track of message boundaries.</summary>
    public bool IsOpaque => _state is State.Opaque or State.Upgraded;

    /// <summary>Bytes held in buffers, for memory accounting.</summary>
    public long BufferedBytes => _head.Capacity + (_message?.Body?.Capacity ?? 0);

    /// <summary>True when the next bytes could still start an HTTP/2 connection: no message begun (or only its start line), not upgraded.</summary>
    public bool CanSwitchToHttp2 => _state is State.AwaitStart or State.Opaque || (_state == State.Head && !_startLineDone);

    /// <summary>The bytes of a start line begun in earlier events (empty when none).</summary>
    public ReadOnlySpan<byte> PendingStart => _state == State.Head && !_startLineDone ? _head.Span : default;

    /// <summary>The held events (of a start line in progress) are HTTP/2's preface: dropped; returns how many.</summary>
    public int DropForHttp2() => TakeHeldForHttp2().Count;

    /// <summary>Hands over the events held for a start line in progress (the start of an HTTP/2 preface) and starts afresh.</summary>
    public List<AgentEvent> TakeHeldForHttp2()
    {
        var held = new List<AgentEvent>(_held);
        _held.Clear();
        _head.Clear();
        _analyzer.Release(_head.Release());
        if (_state == State.Head)
        {
            _state = State.AwaitStart;
        }
        return held;
    }

    /// <summary>
    /// Parses the bytes of one read or write. Says whether every byte of the event belongs to HTTP messages (so the
    /// raw event can go), or the event must be passed on untouched, or it ended inside a head and is held here until
    /// the head proves to be HTTP or not.
    /// </summary>
    public FeedResult Feed(AgentEvent evt, TlsPayload tls)
    {
        var data = tls.HasBytes ? tls.Bytes.Span : default;
        var lost = tls.HasBytes ? tls.BytesLost : Math.Max(0, tls.Length);
        var time = evt.Timestamp;
        _now = time;
        var raw = false;

        if (_state == State.Upgraded)
        {
            _analyzer.Counters.NonHttpBytes.Add(data.Length);
            return FeedResult.Raw;
        }
        if (_state == State.Opaque)
        {
            if (data.IsEmpty || !StartsWithStartLine(data))
            {
                _analyzer.Counters.NonHttpBytes.Add(data.Length);
                return FeedResult.Raw;
            }
            _analyzer.Counters.Resyncs.Add();
            _state = State.AwaitStart;
        }

        var pos = 0;
        while (pos < data.Length && !raw)
        {
            switch (_state)
            {
                case State.AwaitStart:
                    // Tolerate empty lines between messages (RFC 9112 §2.2).
                    while (pos < data.Length && data[pos] is (byte)'\r' or (byte)'\n')
                    {
                        pos++;
                    }
                    if (pos < data.Length)
                    {
                        BeginHead(time);
                    }
                    break;
                case State.Head:
                    pos += FeedHead(data[pos..], evt, out var failed);
                    if (failed)
                    {
                        raw = true;
                    }
                    break;
                case State.BodyLength:
                {
                    var take = (int)Math.Min(_remaining, data.Length - pos);
                    Body(data.Slice(pos, take), time);
                    pos += take;
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        EndMessage(evt);
                    }
                    break;
                }
                case State.BodyChunked:
                {
                    _message!.EndNs = time;
                    var status = _chunked!.Feed(data[pos..], this, out var consumed);
                    pos += consumed;
                    if (status == FramingStatus.Done)
                    {
                        EndMessage(evt);
                    }
                    else if (status == FramingStatus.Error)
                    {
                        _analyzer.Counters.ProtocolErrors.Add();
                        FlushPiece(evt, final: false);
                        _connection.ProtocolError(this, EndReasons.ProtocolError, evt);
                        raw = true;
                    }
                    break;
                }
                case State.BodyUntilClose:
                    Body(data[pos..], time);
                    pos = data.Length;
                    break;
                default:
                    if (_state == State.Upgraded && _connection.Http2 is { } http2)
                    {
                        // Upgrade: h2c: the rest of this read or write is already HTTP/2.
                        http2.Feed(IsWrite, evt, data[pos..], lost);
                        pos = data.Length;
                        lost = 0;
                        break;
                    }
                    if (_state == State.Upgraded && _connection.WebSocket is { } webSocket)
                    {
                        // The 101 and the first frames in one read: the frames go to the WebSocket reader.
                        webSocket.Feed(IsWrite, evt, data[pos..], lost);
                        pos = data.Length;
                        lost = 0;
                        break;
                    }
                    // Went opaque (or upgraded) in the middle of this event: the rest is not HTTP.
                    raw = true;
                    break;
            }
        }

        if (raw)
        {
            _analyzer.Counters.NonHttpBytes.Add(data.Length - pos);
        }
        FlushPiece(evt, final: false);
        if (lost > 0)
        {
            Gap(lost, evt);
        }
        if (raw)
        {
            return FeedResult.Raw;
        }
        if (_state == State.Head)
        {
            if (!_analyzer.KeepRaw)
            {
                _held.Add(evt);
            }
            return FeedResult.Held;
        }
        return FeedResult.Consumed;
    }

    /// <summary>Body bytes out of the chunked framing, still content-encoded.</summary>
    void IBodyTarget.OnBody(ReadOnlySpan<byte> bytes) => Body(bytes, _now);

    /// <summary>Ends whatever is in progress (the connection is cut): the caller emits the exchanges.</summary>
    /// <param name="evt">The event being processed, if any, for streamed pieces' timestamps.</param>
    /// <param name="opaque">Lose track of boundaries (resync at the next read starting with a start line).</param>
    public void Reset(AgentEvent? evt, bool opaque)
    {
        FlushPiece(evt, final: true);
        ReleaseHeld();
        _head.Clear();
        _analyzer.Release(_head.Release());
        EndBody();
        _message = null;
        _exchange = null;
        if (_state != State.Upgraded)
        {
            _state = opaque ? State.Opaque : State.AwaitStart;
        }
    }

    /// <summary>Never HTTP again (after 101 or a CONNECT tunnel).</summary>
    public void Upgrade(AgentEvent? evt)
    {
        Reset(evt, opaque: true);
        _state = State.Upgraded;
    }

    /// <summary>A fresh connection on the same id (after a handshake): start over.</summary>
    public void Restart()
    {
        Reset(null, opaque: false);
        _state = State.AwaitStart;
        Kind = MessageKind.Unknown;
    }

    private void BeginHead(long time)
    {
        _state = State.Head;
        _head.Clear();
        _lineLength = 0;
        _startLineDone = false;
        _headStartNs = time;
        _headKind = MessageKind.Unknown;
    }

    /// <summary>Takes head bytes up to the blank line; returns how many were used.</summary>
    private int FeedHead(ReadOnlySpan<byte> data, AgentEvent evt, out bool failed)
    {
        failed = false;
        var max = _analyzer.Config.MaxHeaderBytes;
        var i = 0;
        var blockEnd = -1;
        while (i < data.Length)
        {
            var lf = data[i..].IndexOf((byte)'\n');
            if (lf < 0)
            {
                _lineLength += data.Length - i;
                i = data.Length;
                break;
            }
            lf += i;
            var content = _lineLength + (lf - i);
            var beforeLf = lf > 0 ? data[lf - 1] : _head.Last;
            var lineIsEmpty = content == 0 || (content == 1 && beforeLf == '\r');
            i = lf + 1;
            _lineLength = 0;
            if (!_startLineDone)
            {
                _startLineDone = true;
                if (!CheckStart(data[..i], complete: true))
                {
                    failed = true;
                    break;
                }
            }
            else if (lineIsEmpty)
            {
                blockEnd = i;
                break;
            }
        }

        if (!failed && !_startLineDone && !CheckStart(data[..i], complete: false))
        {
            failed = true;
        }
        if (failed)
        {
            _analyzer.Counters.NotHttp.Add();
            NotHttp(evt);
            return 0;
        }
        var used = blockEnd >= 0 ? blockEnd : i;
        if (_head.Length + used > max)
        {
            _analyzer.Counters.HeadersTooLarge.Add();
            NotHttp(evt);
            failed = true;
            return 0;
        }
        if (blockEnd < 0)
        {
            _analyzer.Grow(_head.Append(data[..used]));
            return used;
        }

        HttpHead head;
        if (_head.Length == 0)
        {
            head = HttpHead.Parse(data[..used], _headKind);
        }
        else
        {
            _analyzer.Grow(_head.Append(data[..used]));
            head = HttpHead.Parse(_head.Span, _headKind);
        }
        _head.Clear();
        _analyzer.Release(_head.Release());
        _analyzer.Counters.BadHeaderLines.Add(head.BadLines);
        DropHeld();
        OnHead(head, evt);
        return used;
    }

    /// <summary>Checks the start line seen so far (<paramref name="tail"/> is this event's part of it).</summary>
    private bool CheckStart(ReadOnlySpan<byte> tail, bool complete)
    {
        ReadOnlySpan<byte> line;
        byte[]? joined = null;
        if (_head.Length == 0)
        {
            line = tail;
        }
        else
        {
            joined = new byte[_head.Length + tail.Length];
            _head.Span.CopyTo(joined);
            tail.CopyTo(joined.AsSpan(_head.Length));
            line = joined;
        }
        var check = StartLine.Check(line, Kind, out var kind);
        if (check == StartLineCheck.Invalid || (complete && check != StartLineCheck.Complete))
        {
            return false;
        }
        if (line.Length > 16 * 1024 && check != StartLineCheck.Complete)
        {
            return false;
        }
        _headKind = kind;
        return true;
    }

    private bool StartsWithStartLine(ReadOnlySpan<byte> data)
    {
        var start = data;
        var lf = start[..Math.Min(start.Length, _analyzer.Config.MaxHeaderBytes)].IndexOf((byte)'\n');
        return lf >= 0 && StartLine.Check(start[..(lf + 1)], Kind, out _) == StartLineCheck.Complete;
    }

    /// <summary>The head turned out not to be HTTP: its events go on untouched, and this direction goes opaque.</summary>
    private void NotHttp(AgentEvent evt)
    {
        _head.Clear();
        _analyzer.Release(_head.Release());
        ReleaseHeld();
        _state = State.Opaque;
        _ = evt;
    }

    private void OnHead(HttpHead head, AgentEvent evt)
    {
        var message = new HttpMessage(head, _headStartNs) { EndNs = evt.Timestamp };
        _state = State.AwaitStart;
        var framing = _connection.OnHead(this, head, message, evt, out var exchange);
        if (framing.Kind == BodyKind.Upgrade)
        {
            return;
        }
        if (framing.Kind == BodyKind.Invalid)
        {
            _analyzer.Counters.ProtocolErrors.Add();
            _connection.ProtocolError(this, EndReasons.ProtocolError, evt);
            return;
        }
        if (framing.Kind == BodyKind.Interim)
        {
            _analyzer.Counters.InterimResponses.Add();
            return;
        }
        _message = message;
        _exchange = exchange;
        message.ContentType = head.Get("content-type");
        message.MediaType = HttpMessage.MediaTypeOf(message.ContentType);
        message.ContentEncoding = head.Get("content-encoding");
        message.Streamed = head.Kind == MessageKind.Response && message.MediaType is not null
            && _analyzer.IsStreamedType(message.MediaType);
        if (_analyzer.Config.DecodeContent)
        {
            _decoder = ContentDecoder.For(message.ContentEncoding, DecodeLimits.From(_analyzer.Config), out var supported);
            if (!supported)
            {
                _analyzer.Counters.UndecodedBodies.Add();
            }
        }
        switch (framing.Kind)
        {
            case BodyKind.None:
                EndMessage(evt);
                break;
            case BodyKind.Length:
                _remaining = framing.Length;
                _state = State.BodyLength;
                if (_remaining == 0)
                {
                    EndMessage(evt);
                }
                break;
            case BodyKind.Chunked:
                _chunked = new ChunkedDecoder { MaxTrailerBytes = _analyzer.Config.MaxHeaderBytes };
                _state = State.BodyChunked;
                break;
            case BodyKind.UntilClose:
                _state = State.BodyUntilClose;
                break;
        }
    }

    /// <summary>Framed body bytes, before content decoding.</summary>
    private void Body(ReadOnlySpan<byte> bytes, long time)
    {
        var message = _message!;
        message.EndNs = time;
        if (bytes.IsEmpty)
        {
            return;
        }
        if (_discard)
        {
            // After a capture gap inside an encoded body the decompressor cannot go on; the framing still can.
            message.BodyTruncated = true;
            return;
        }
        if (_decoder is null)
        {
            Decoded(bytes);
            return;
        }
        if (_decoder.Failed || _decoder.Capped || (!message.Streamed && message.BodySize > _analyzer.Config.MaxBodyBytes))
        {
            // Corrupt, inflated as far as it may be, or already past the cap: nothing more to keep, so no need to inflate it.
            message.BodyTruncated = true;
            return;
        }
        _decoder.Decode(bytes, _decoded ??= new DecodedTarget(this));
        if (_decoder.Capped)
        {
            // Past max_decoded_bytes or the ratio guard (a decompression bomb, streamed or not): cut, said and counted once.
            _analyzer.Counters.DecompressionCapped.Add();
            if (!message.BodyTruncated)
            {
                _analyzer.Counters.BodiesTruncated.Add();
            }
            message.BodyTruncated = true;
        }
        else if (_decoder.Failed)
        {
            _analyzer.Counters.DecodeErrors.Add();
            message.BodyTruncated = true;
        }
    }

    /// <summary>Body bytes after every decoding.</summary>
    private void Decoded(ReadOnlySpan<byte> bytes)
    {
        var message = _message!;
        if (message.Streamed)
        {
            if (!_pieceOpen)
            {
                _pieceOpen = true;
                message.StartPiece(_analyzer.Piece);
            }
            _analyzer.Piece.Append(bytes);
            message.BodySize += bytes.Length;
            return;
        }
        message.Keep(bytes, _analyzer);
    }

    /// <summary>Sends what is gathered of a streamed body now, held-back bytes of a cut character included.</summary>
    public void FlushPiece(AgentEvent? evt) => FlushPiece(evt, final: true);

    /// <summary>Sends the bytes gathered from this event for a streamed body as one <c>http_body</c> event.</summary>
    private void FlushPiece(AgentEvent? evt, bool final)
    {
        var message = _message;
        if (message is null || !message.Streamed)
        {
            return;
        }
        if (!_pieceOpen)
        {
            if (!final || message.CarryLength == 0)
            {
                return;
            }
            message.StartPiece(_analyzer.Piece);
            _pieceOpen = true;
        }
        _pieceOpen = false;
        ReadOnlySpan<byte> bytes = _analyzer.Piece.Span;
        if (!final)
        {
            bytes = message.HoldBackCutCharacter(bytes);
        }
        if (bytes.IsEmpty)
        {
            return;
        }
        _analyzer.EmitPiece(_connection, _exchange!, message, bytes, evt);
    }

    private void EndMessage(AgentEvent evt)
    {
        var message = _message!;
        var exchange = _exchange!;
        message.EndNs = evt.Timestamp;
        FlushPiece(evt, final: true);
        message.Ended = true;
        EndBody();
        _message = null;
        _exchange = null;
        _state = State.AwaitStart;
        _connection.OnMessageEnd(this, exchange, message, evt);
    }

    private void EndBody()
    {
        _decoder?.Dispose();
        _decoder = null;
        _chunked = null;
        _remaining = 0;
        _pieceOpen = false;
        _discard = false;
    }

    /// <summary>The capture lost <paramref name="lost"/> bytes after this event's captured ones.</summary>
    private void Gap(long lost, AgentEvent evt)
    {
        _analyzer.Counters.CaptureGaps.Add();
        switch (_state)
        {
            case State.BodyLength when lost <= _remaining:
                StopDecoding();
                _remaining -= lost;
                if (_remaining == 0)
                {
                    EndMessage(evt);
                }
                return;
            case State.BodyChunked when _chunked!.Skip(lost):
                StopDecoding();
                return;
            case State.BodyUntilClose:
                StopDecoding();
                return;
            case State.Opaque or State.Upgraded:
                return;
            default:
                if (_message is not null)
                {
                    _message.BodyTruncated = true;
                }
                _connection.ProtocolError(this, EndReasons.CaptureGap, evt);
                return;
        }
    }

    /// <summary>Bytes of the body are missing: the body is marked cut, and an encoded one can no longer be decoded.</summary>
    private void StopDecoding()
    {
        var message = _message!;
        if (!message.BodyTruncated)
        {
            _analyzer.Counters.BodiesTruncated.Add();
        }
        message.BodyTruncated = true;
        if (_decoder is not null)
        {
            _decoder.Dispose();
            _decoder = null;
            _discard = true;
        }
    }

    /// <summary>The held events' bytes are now part of a message: they go.</summary>
    private void DropHeld()
    {
        _analyzer.Counters.RawConsumed.Add(_held.Count);
        _held.Clear();
    }

    /// <summary>The held events were not (or not wholly) HTTP after all: they go on untouched, in order.</summary>
    private void ReleaseHeld()
    {
        foreach (var held in _held)
        {
            _analyzer.EmitRaw(held);
        }
        _held.Clear();
    }

    /// <summary>Where a content decoder's output goes: the decoded body.</summary>
    private sealed class DecodedTarget(MessageStream stream) : IBodyTarget
    {
        public void OnBody(ReadOnlySpan<byte> bytes) => stream.Decoded(bytes);
    }
}
