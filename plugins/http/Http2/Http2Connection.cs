using AgentSight.Contracts;

namespace AgentSight.Plugins.Http.Http2;

/// <summary>
/// An HTTP/2 connection (RFC 9113): its two directions' frames, their HPACK decoders, and its streams, each mapped to
/// one exchange exactly as HTTP/1 gives them (<see cref="HttpExchange"/>, emitted through the analyzer), so every
/// stage after <c>http</c> reads HTTP/2 calls as it reads HTTP/1 ones.
/// </summary>
/// <remarks>
/// A connection seen from its start (its preface, or an <c>Upgrade: h2c</c>) is known whole. One first seen in its
/// middle (frames at the start of a read: a capture begun while the program ran, or a connection evicted and seen
/// again) starts with both HPACK tables unknown: a header field that names a table entry made before is counted in
/// <c>headers_missed</c>, never guessed; streams already running give what their DATA frames carry.
/// </remarks>
internal sealed class Http2Connection
{
    private const int ClosedIdsKept = 4096;

    private readonly HttpAnalyzer _analyzer;
    private readonly Http2Counters _counters;
    private readonly Http2FrameReader _writes;
    private readonly Http2FrameReader _reads;
    private readonly Dictionary<int, Http2Stream> _streams = [];
    private readonly LinkedList<Http2Stream> _lru = new();
    private readonly HashSet<int> _closed = [];
    private readonly Queue<int> _closedOrder = new();
    private readonly bool _roleConfigured;

    /// <summary>True while every stream the connection opened was seen opening (ids below the highest are closed ones).</summary>
    private bool _exactStreams;

    /// <summary>Known from its start: the preface or the upgrade was seen.</summary>
    private bool _fromStart;

    private bool _roleKnown;
    private bool _joinedCounted;
    private int _maxClientId;
    private int _maxServerId;
    private long _order;
    private Http2Body? _pieceOwner;
    private AgentEvent? _event;

    private Http2Connection(HttpConnection connection, HttpAnalyzer analyzer, bool clientIsWrite, bool fromStart, bool roleConfigured)
    {
        Connection = connection;
        _analyzer = analyzer;
        _counters = analyzer.Http2Counters;
        _fromStart = fromStart;
        _exactStreams = fromStart;
        _roleKnown = fromStart || roleConfigured;
        _roleConfigured = roleConfigured;
        var table = fromStart ? (Func<HpackDynamicTable>)HpackDynamicTable.AtStart : HpackDynamicTable.Unknown;
        _writes = new Http2FrameReader(this, isWrite: true, table());
        _reads = new Http2FrameReader(this, isWrite: false, table());
        SetClient(clientIsWrite);
        _counters.Connections.Add();
    }

    public HttpConnection Connection { get; }

    /// <summary>True when which side is the client is known (from the start, configured, or learnt from a head).</summary>
    public bool RoleKnown => _roleKnown;

    /// <summary>True when something is in progress: a stream, or a header block.</summary>
    public bool Busy => _streams.Count > 0 || _writes.InBlock || _reads.InBlock;

    /// <summary>Bytes held for messages and header blocks in progress (HPACK tables are apart, capped per table).</summary>
    public long BufferedBytes
    {
        get
        {
            long bytes = _writes.Block.Capacity + _reads.Block.Capacity;
            foreach (var stream in _streams.Values)
            {
                bytes += stream.BufferedBytes;
            }
            return bytes;
        }
    }

    /// <summary>A connection whose client just wrote (or, as a server, read) the connection preface.</summary>
    public static Http2Connection FromPreface(HttpConnection connection, HttpAnalyzer analyzer, bool prefaceIsWrite)
    {
        var http2 = new Http2Connection(connection, analyzer, clientIsWrite: prefaceIsWrite, fromStart: true, roleConfigured: false);
        (prefaceIsWrite ? http2._writes : http2._reads).Start(preface: true);
        (prefaceIsWrite ? http2._reads : http2._writes).Start(preface: false);
        return http2;
    }

    /// <summary>
    /// A connection that switched from HTTP/1.1 (<c>Upgrade: h2c</c>, answered 101): the upgraded request is stream 1,
    /// half closed by the client, whose answer comes in HTTP/2 (RFC 7540 §3.2).
    /// </summary>
    public static Http2Connection FromUpgrade(HttpConnection connection, HttpAnalyzer analyzer, bool clientIsWrite, HttpExchange upgraded)
    {
        var http2 = new Http2Connection(connection, analyzer, clientIsWrite, fromStart: true, roleConfigured: false);
        (clientIsWrite ? http2._writes : http2._reads).Start(preface: true);
        (clientIsWrite ? http2._reads : http2._writes).Start(preface: false);
        upgraded.StreamId = 1;
        var stream = new Http2Stream(1, ++http2._order, upgraded) { RequestEnded = true };
        if (upgraded.Request is { } request)
        {
            request.Ended = true;
        }
        http2.Track(stream);
        http2._maxClientId = 1;
        return http2;
    }

    /// <summary>A connection first seen in its middle: <paramref name="isWrite"/>'s direction starts on a frame.</summary>
    public static Http2Connection Joined(HttpConnection connection, HttpAnalyzer analyzer, bool isWrite, HttpRole role)
    {
        var http2 = new Http2Connection(connection, analyzer, clientIsWrite: role != HttpRole.Server, fromStart: false,
            roleConfigured: role != HttpRole.Auto);
        (isWrite ? http2._writes : http2._reads).Start(preface: false, guessed: true);
        return http2;
    }

    /// <summary>Parses one read or write.</summary>
    public FeedResult Feed(AgentEvent evt, TlsPayload tls)
    {
        var data = tls.HasBytes ? tls.Bytes.Span : default;
        var lost = tls.HasBytes ? tls.BytesLost : Math.Max(0, tls.Length);
        return Feed(tls.Direction == TlsDirection.Write, evt, data, lost);
    }

    /// <summary>Parses the bytes of a read or write, or what follows the 101 in the one that switched protocols.</summary>
    public FeedResult Feed(bool isWrite, AgentEvent evt, ReadOnlySpan<byte> data, long lost)
    {
        _event = evt;
        var reader = isWrite ? _writes : _reads;
        var consumed = data.Length;
        if (!reader.Synced)
        {
            consumed = 0;
            if (!data.IsEmpty && Http2Detector.MatchPreface(data) == 1 && !_fromStart)
            {
                // The preface after all (the other side spoke first, as a server may): known from the start.
                Restart(clientIsWrite: isWrite);
                reader.Start(preface: true);
            }
            // Frames the side this direction is taken for could not send are no boundary (the sides may be a guess
            // until a head says which is the client: a wrong one only delays the sync).
            else if (!data.IsEmpty && Http2Detector.LooksLikeFrames(data, reader.FromClient))
            {
                _analyzer.Counters.Resyncs.Add();
                reader.Start(preface: false, guessed: true);
            }
        }
        if (reader.Synced)
        {
            consumed = reader.Parse(data, evt.Timestamp);
        }
        var whole = consumed == data.Length && (reader.Synced || data.IsEmpty);
        if (consumed < data.Length)
        {
            _analyzer.Counters.NonHttpBytes.Add(data.Length - consumed);
        }
        if (lost > 0)
        {
            _analyzer.Counters.CaptureGaps.Add();
            reader.Gap(lost);
        }
        _pieceOwner?.FlushPiece(evt, final: false);
        _event = null;
        return whole ? FeedResult.Consumed : FeedResult.Raw;
    }

    /// <summary>Ends every stream in progress with <paramref name="reason"/> (the connection itself goes on: its HPACK state is kept).</summary>
    public void Cut(string reason, AgentEvent? evt)
    {
        if (_streams.Count == 0)
        {
            return;
        }
        _event = evt;
        _pieceOwner?.FlushPiece(evt, final: false);
        foreach (var stream in _streams.Values.OrderBy(s => s.Order).ToList())
        {
            End(stream, reason);
        }
        _event = null;
    }

    /// <summary>The connection is over: everything is cut and every buffer returned.</summary>
    public void Close(string reason, AgentEvent? evt)
    {
        Cut(reason, evt);
        _writes.InBlock = false;
        _reads.InBlock = false;
        _analyzer.Release(_writes.Block.Release());
        _analyzer.Release(_reads.Block.Release());
    }

    /// <summary>A body of this connection starts gathering a piece in the analyzer's shared buffer: the one gathering there goes out first.</summary>
    public void ClaimPiece(Http2Body body, AgentEvent? evt)
    {
        if (_pieceOwner is { } owner && owner != body)
        {
            owner.FlushPiece(evt ?? _event, final: false);
        }
        _pieceOwner = body;
    }

    public void ReleasePiece(Http2Body body)
    {
        if (_pieceOwner == body)
        {
            _pieceOwner = null;
        }
    }

    /// <summary>A frame's fixed fields were read: its content follows.</summary>
    public void BeginFrame(Http2FrameReader reader)
    {
        var frame = reader.Frame;
        switch (frame.Type)
        {
            case FrameType.Data:
            {
                var stream = Stream(frame.StreamId, reader);
                reader.DataTarget = stream is null ? null : Body(stream, reader.FromClient, reader.FrameStartNs);
                if (reader.DataTarget is { } target)
                {
                    target.Message.EndNs = _event?.Timestamp ?? target.Message.EndNs;
                }
                break;
            }
            case FrameType.Headers or FrameType.PushPromise:
                reader.InBlock = true;
                reader.BlockType = frame.Type;
                reader.BlockStream = frame.StreamId;
                reader.BlockEndStream = frame.Has(FrameFlags.EndStream);
                reader.BlockStartNs = reader.FrameStartNs;
                reader.BlockBroken = false;
                reader.BlockTooLarge = false;
                reader.BlockPromised = frame.Type == FrameType.PushPromise
                    ? reader.PrefixStreamId(frame.Has(FrameFlags.Padded) ? 1 : 0)
                    : 0;
                reader.Block.Clear();
                break;
        }
    }

    /// <summary>Content of the frame being read, as the reads bring it.</summary>
    public void FrameContent(Http2FrameReader reader, ReadOnlySpan<byte> bytes)
    {
        switch (reader.Frame.Type)
        {
            case FrameType.Data:
                if (reader.DataTarget is { } target)
                {
                    target.Message.EndNs = _event?.Timestamp ?? target.Message.EndNs;
                    target.Data(bytes);
                }
                break;
            case FrameType.Headers or FrameType.PushPromise or FrameType.Continuation:
                if (reader.BlockBroken)
                {
                    break;
                }
                if (reader.Block.Length + bytes.Length > _analyzer.Config.MaxHeaderBytes)
                {
                    // Not held: the block cannot be decoded, and the sender's table is unknown from here on.
                    reader.BlockBroken = true;
                    reader.BlockTooLarge = true;
                    reader.Block.Clear();
                    _analyzer.Release(reader.Block.Release());
                    break;
                }
                _analyzer.Grow(reader.Block.Append(bytes));
                break;
        }
    }

    /// <summary>Bytes of the frame's content were lost by the capture.</summary>
    public void ContentLost(Http2FrameReader reader, int bytes)
    {
        _event ??= Connection.LastEvent;
        if (bytes == 0)
        {
            return;
        }
        switch (reader.Frame.Type)
        {
            case FrameType.Data:
                reader.DataTarget?.Lost();
                break;
            case FrameType.Headers or FrameType.PushPromise or FrameType.Continuation:
                reader.BlockBroken = true;
                break;
        }
    }

    /// <summary>A frame ended.</summary>
    public void EndFrame(Http2FrameReader reader)
    {
        var frame = reader.Frame;
        reader.FrameEnded();
        switch (frame.Type)
        {
            case FrameType.Data:
                if (frame.Has(FrameFlags.EndStream) && reader.DataTarget is not null && _streams.TryGetValue(frame.StreamId, out var stream))
                {
                    EndSide(stream, reader.FromClient);
                }
                reader.DataTarget = null;
                break;
            case FrameType.Headers or FrameType.PushPromise or FrameType.Continuation:
                if (frame.Has(FrameFlags.EndHeaders))
                {
                    reader.InBlock = false;
                    CompleteBlock(reader);
                }
                break;
            case FrameType.RstStream:
                Reset(frame.StreamId);
                break;
            case FrameType.GoAway:
                GoAway(reader, reader.PrefixStreamId(0));
                break;
        }
    }

    /// <summary>A direction lost its frame boundaries.</summary>
    public void LostSync(Http2FrameReader reader, bool protocolError)
    {
        if (protocolError)
        {
            _analyzer.Counters.ProtocolErrors.Add();
        }
        if (reader.Unconfirmed)
        {
            // The guessed boundary was wrong: what its frames made is bytes from the middle of frames, never shown.
            foreach (var made in _streams.Values.Where(s => s.Provisional && s.MadeOnGuess!.Value.Reader == reader).ToList())
            {
                _counters.GuessesDropped.Add();
                Forget(made);
            }
        }
        _exactStreams = false;
        if (reader.InBlock)
        {
            reader.InBlock = false;
            reader.Block.Clear();
        }
        // Header blocks may go by unseen until the boundaries are found again.
        reader.Hpack.Table.Forget();
        reader.DataTarget = null;
        foreach (var stream in _streams.Values)
        {
            if (stream.Side(reader.FromClient) is { } body && !(reader.FromClient ? stream.RequestEnded : stream.ResponseEnded))
            {
                body.Lost();
            }
        }
    }

    private void SetClient(bool clientIsWrite)
    {
        _writes.FromClient = clientIsWrite;
        _reads.FromClient = !clientIsWrite;
        Connection.SetRole(clientIsWrite ? HttpRole.Client : HttpRole.Server);
    }

    /// <summary>A connection taken for one seen from the middle turns out to be seen from its start (its preface came late).</summary>
    private void Restart(bool clientIsWrite)
    {
        _fromStart = true;
        _exactStreams = _streams.Count == 0;
        _roleKnown = true;
        SetClient(clientIsWrite);
        // No header block can precede the client's preface: both encoders are at their start.
        _writes.Hpack.Table.Reset(atStart: true);
        _reads.Hpack.Table.Reset(atStart: true);
    }

    /// <summary>A whole header block arrived: decoded, and given to its stream as a head, an interim response or trailers.</summary>
    private void CompleteBlock(Http2FrameReader reader)
    {
        HeaderBlock? block = null;
        if (reader.BlockBroken)
        {
            reader.Hpack.Table.Forget();
            if (reader.BlockTooLarge)
            {
                _analyzer.Counters.HeadersTooLarge.Add();
            }
        }
        else
        {
            block = new HeaderBlock(_analyzer.Config.MaxHeaderBytes);
            if (!reader.Hpack.Decode(reader.Block.Span, block))
            {
                _counters.HpackErrors.Add();
                block = null;
            }
            else
            {
                if (block.Missed > 0)
                {
                    _counters.HeadersMissed.Add(block.Missed);
                }
                if (block.TooLarge)
                {
                    _analyzer.Counters.HeadersTooLarge.Add();
                }
            }
        }
        reader.Block.Clear();
        if (reader.Block.Capacity > 16 * 1024)
        {
            _analyzer.Release(reader.Block.Release());
        }

        if (block is not null && reader.Unconfirmed)
        {
            // HPACK that decodes is no accident of bytes: the boundary was right.
            reader.Confirm();
        }
        if (block is not null && !_roleKnown && (block.Method is not null || block.StatusCode is not null))
        {
            LearnRole(reader, block);
        }

        if (reader.BlockType == FrameType.PushPromise)
        {
            Promise(reader, block);
            return;
        }
        var stream = Stream(reader.BlockStream, reader);
        if (stream is null)
        {
            return;
        }
        var fromClient = reader.FromClient;
        var side = stream.Side(fromClient);
        if (!fromClient && side is null && block?.StatusCode is >= 100 and < 200)
        {
            // 100 Continue, 103 Early Hints: the final response follows on the stream.
            _analyzer.Counters.InterimResponses.Add();
            return;
        }
        var headless = false;
        if (side is null && block is { HasPseudo: false } && (block.Missed == 0 || !_exactStreams))
        {
            // A head always has pseudo-headers (RFC 9113 §8.3): a block without them is trailers whose head and body
            // went by unseen (a capture begun after them, or bytes lost). With fields missed its pseudo-headers may
            // be among them: unless every frame so far was seen (so a side's first block is its head), it could be
            // either, and its fields are dropped rather than shown as a head's.
            headless = block.Missed > 0;
            Body(stream, fromClient, reader.BlockStartNs);
            side = stream.Side(fromClient);
        }
        if (side is null)
        {
            var head = block is null
                ? HttpHead.Http2Unseen(fromClient ? MessageKind.Request : MessageKind.Response)
                : fromClient ? HttpHead.Http2Request(block) : HttpHead.Http2Response(block);
            if (block is null)
            {
                _counters.HeadsMissed.Add();
            }
            AddSide(stream, fromClient, head, reader.BlockStartNs);
        }
        else if (!headless)
        {
            _counters.Trailers.Add();
        }
        if (reader.BlockEndStream)
        {
            EndSide(stream, fromClient);
        }
    }

    /// <summary>A PUSH_PROMISE: the promised stream's request is the block (a pushed request has no body).</summary>
    private void Promise(Http2FrameReader reader, HeaderBlock? block)
    {
        var promised = reader.BlockPromised;
        if (promised == 0 || Stream(promised, reader) is not { } stream || stream.Request is not null)
        {
            return;
        }
        if (block is null)
        {
            _counters.HeadsMissed.Add();
        }
        AddSide(stream, fromClient: true, block is null ? HttpHead.Http2Unseen(MessageKind.Request) : HttpHead.Http2Request(block), reader.BlockStartNs);
        var request = stream.Request!;
        request.Message.Ended = true;
        request.End();
        stream.RequestEnded = true;
    }

    /// <summary>Seen from the middle with no role set: the first head with pseudo-headers says which side is the client.</summary>
    private void LearnRole(Http2FrameReader reader, HeaderBlock block)
    {
        _roleKnown = true;
        var sentByClient = block.Method is not null;
        if (sentByClient == reader.FromClient)
        {
            return;
        }
        // The process was taken for the client: the streams made on that guess had their sides the wrong way round.
        // Nothing of them is emitted rather than something wrong.
        foreach (var stream in _streams.Values.ToList())
        {
            Forget(stream);
        }
        SetClient(clientIsWrite: sentByClient == reader.IsWrite);
    }

    /// <summary>The stream with this id, made when it is a new one (by <paramref name="reader"/>'s frames); null for one already closed.</summary>
    private Http2Stream? Stream(int id, Http2FrameReader reader)
    {
        if (_streams.TryGetValue(id, out var stream))
        {
            _lru.Remove(stream.Lru!);
            _lru.AddLast(stream.Lru!);
            return stream;
        }
        var clientStream = (id & 1) == 1;
        if (_closed.Contains(id) || (_exactStreams && id <= (clientStream ? _maxClientId : _maxServerId)))
        {
            return null;
        }
        while (_streams.Count >= _analyzer.Config.MaxStreams && _lru.First is { } oldest)
        {
            _counters.StreamsEvicted.Add();
            End(oldest.Value, EndReasons.Evicted);
        }
        if (!_fromStart && !_joinedCounted)
        {
            _joinedCounted = true;
            _counters.Joined.Add();
        }
        stream = new Http2Stream(id, ++_order, new HttpExchange(Connection.NextExchangeId(), null) { StreamId = id })
        {
            MadeOnGuess = reader.Unconfirmed ? (reader, reader.Sync) : null,
        };
        Track(stream);
        if (clientStream)
        {
            _maxClientId = Math.Max(_maxClientId, id);
        }
        else
        {
            _maxServerId = Math.Max(_maxServerId, id);
        }
        return stream;
    }

    private void Track(Http2Stream stream)
    {
        _streams[stream.Id] = stream;
        stream.Lru = _lru.AddLast(stream);
        _counters.Streams.Add();
    }

    /// <summary>The body a DATA frame of one side goes to; a side whose head was not seen gets a head that says so.</summary>
    private Http2Body Body(Http2Stream stream, bool fromClient, long startNs)
    {
        if (stream.Side(fromClient) is { } body)
        {
            return body;
        }
        _counters.HeadsMissed.Add();
        body = AddSide(stream, fromClient, HttpHead.Http2Unseen(fromClient ? MessageKind.Request : MessageKind.Response), startNs);
        // What came before the first frame seen is not known.
        body.Lost(count: false);
        return body;
    }

    private Http2Body AddSide(Http2Stream stream, bool fromClient, HttpHead head, long startNs)
    {
        var message = new HttpMessage(head, startNs) { EndNs = _event?.Timestamp ?? startNs };
        var body = new Http2Body(this, _analyzer, stream.Exchange, message);
        if (fromClient)
        {
            stream.Exchange.Request = message;
            stream.Request = body;
        }
        else
        {
            if (stream.Exchange.Request is null)
            {
                _analyzer.Counters.OrphanResponses.Add();
            }
            stream.Exchange.Response = message;
            stream.Response = body;
        }
        return body;
    }

    /// <summary>END_STREAM on one side: the exchange goes once both sides ended (or the response did, with no request seen).</summary>
    private void EndSide(Http2Stream stream, bool fromClient)
    {
        var body = stream.Side(fromClient);
        if (body is not null)
        {
            body.Message.EndNs = _event?.Timestamp ?? body.Message.EndNs;
            body.FlushPiece(_event, final: true);
            body.Message.Ended = true;
            body.End();
        }
        if (fromClient)
        {
            stream.RequestEnded = true;
        }
        else
        {
            stream.ResponseEnded = true;
        }
        if (stream.ResponseEnded && (stream.RequestEnded || stream.Request is null))
        {
            End(stream, EndReasons.ResponseEnd);
        }
    }

    /// <summary>RST_STREAM: the stream is over, whole or not.</summary>
    private void Reset(int id)
    {
        if (!_streams.TryGetValue(id, out var stream))
        {
            RememberClosed(id);
            return;
        }
        var whole = stream.ResponseEnded && (stream.RequestEnded || stream.Request is null);
        if (!whole)
        {
            _counters.StreamsReset.Add();
        }
        End(stream, whole ? EndReasons.ResponseEnd : EndReasons.StreamReset);
    }

    /// <summary>GOAWAY: the streams its receiver opened past the last one the sender took were never processed.</summary>
    private void GoAway(Http2FrameReader reader, int lastStreamId)
    {
        // The receiver of a server's GOAWAY is the client, whose streams are odd; a client's concerns pushed (even) ones.
        var receiverParity = reader.FromClient ? 0 : 1;
        foreach (var stream in _streams.Values.Where(s => (s.Id & 1) == receiverParity && s.Id > lastStreamId).OrderBy(s => s.Order).ToList())
        {
            End(stream, EndReasons.GoAway);
        }
    }

    /// <summary>Emits a stream's exchange (complete when both sides ended) and forgets the stream.</summary>
    private void End(Http2Stream stream, string reason)
    {
        stream.Request?.FlushPiece(_event, final: true);
        stream.Response?.FlushPiece(_event, final: true);
        stream.Request?.End();
        stream.Response?.End();
        Untrack(stream);
        var exchange = stream.Exchange;
        if (exchange.Request is null && exchange.Response is null)
        {
            // Nothing of it was seen but its id (a reset or a cut of a stream that never carried a frame we read).
            return;
        }
        // Whole: both sides ended, and their heads were read (a stream seen from its middle, or a header block lost, is not).
        var complete = exchange.Request is { Ended: true } request && exchange.Response is { Ended: true } response
            && (request.Head.HeadersMissed is not null || !request.Head.IsHttp2) && response.Head.HeadersMissed is not null;
        _analyzer.EmitExchange(Connection, exchange, complete, reason, _event);
    }

    /// <summary>Drops a stream without emitting it, returning its buffers.</summary>
    private void Forget(Http2Stream stream)
    {
        foreach (var body in new[] { stream.Request, stream.Response })
        {
            if (body is null)
            {
                continue;
            }
            ReleasePiece(body);
            body.End();
            if (body.Message.Body is { } buffer)
            {
                _analyzer.Release(buffer.Release());
            }
        }
        Untrack(stream);
    }

    private void Untrack(Http2Stream stream)
    {
        if (_streams.Remove(stream.Id))
        {
            _lru.Remove(stream.Lru!);
        }
        RememberClosed(stream.Id);
    }

    /// <summary>Remembers a closed stream, so a late frame for it (after a reset, a cut) is not taken for a new one.</summary>
    private void RememberClosed(int id)
    {
        if (!_closed.Add(id))
        {
            return;
        }
        _closedOrder.Enqueue(id);
        if (_closedOrder.Count > ClosedIdsKept)
        {
            _closed.Remove(_closedOrder.Dequeue());
        }
    }
}
