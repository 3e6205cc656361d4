using AgentSight.Contracts;

namespace AgentSight.Plugins.Http.Http2;

/// <summary>
/// The body of one HTTP/2 message, from its DATA frames: content decoding, the body cap, and streamed bodies sent on
/// as <c>http_body</c> pieces, exactly as an HTTP/1 body (<see cref="MessageStream"/>) is handled once out of its
/// framing. Streams share the analyzer's piece buffer: a stream's piece is sent before another stream's starts.
/// </summary>
internal sealed class Http2Body : IBodyTarget
{
    private readonly Http2Connection _connection;
    private readonly HttpAnalyzer _analyzer;
    private ContentDecoder? _decoder;
    private bool _discard;
    private bool _pieceOpen;

    public Http2Body(Http2Connection connection, HttpAnalyzer analyzer, HttpExchange exchange, HttpMessage message)
    {
        _connection = connection;
        _analyzer = analyzer;
        Exchange = exchange;
        Message = message;
        var head = message.Head;
        message.ContentType = head.Get("content-type");
        message.MediaType = HttpMessage.MediaTypeOf(message.ContentType);
        message.ContentEncoding = head.Get("content-encoding");
        message.Streamed = head.Kind == MessageKind.Response && message.MediaType is not null && analyzer.IsStreamedType(message.MediaType);
        if (analyzer.Config.DecodeContent)
        {
            _decoder = ContentDecoder.For(message.ContentEncoding, out var supported);
            if (!supported)
            {
                analyzer.Counters.UndecodedBodies.Add();
            }
        }
    }

    public HttpExchange Exchange { get; }

    public HttpMessage Message { get; }

    /// <summary>Body bytes of a DATA frame, still content-encoded.</summary>
    public void Data(ReadOnlySpan<byte> bytes)
    {
        var message = Message;
        if (bytes.IsEmpty)
        {
            return;
        }
        if (_discard)
        {
            message.BodyTruncated = true;
            return;
        }
        if (_decoder is null)
        {
            Decoded(bytes);
            return;
        }
        if (_decoder.Failed || (!message.Streamed && message.BodySize > _analyzer.Config.MaxBodyBytes))
        {
            message.BodyTruncated = true;
            return;
        }
        _decoder.Decode(bytes, this);
        if (_decoder.Failed)
        {
            _analyzer.Counters.DecodeErrors.Add();
            message.BodyTruncated = true;
        }
    }

    /// <summary>What the content decoder wrote.</summary>
    void IBodyTarget.OnBody(ReadOnlySpan<byte> bytes) => Decoded(bytes);

    /// <summary>Body bytes were lost (capture gap, or a stream seen from its middle): the body is cut, and no longer decodable.</summary>
    public void Lost(bool count = true)
    {
        if (!Message.BodyTruncated && count)
        {
            _analyzer.Counters.BodiesTruncated.Add();
        }
        Message.BodyTruncated = true;
        if (_decoder is not null)
        {
            _decoder.Dispose();
            _decoder = null;
            _discard = true;
        }
    }

    /// <summary>Sends the piece gathered so far as one <c>http_body</c> event (keeping back a cut character unless <paramref name="final"/>).</summary>
    public void FlushPiece(AgentEvent? evt, bool final)
    {
        var message = Message;
        if (!message.Streamed)
        {
            return;
        }
        if (!_pieceOpen)
        {
            if (!final || message.CarryLength == 0)
            {
                return;
            }
            _connection.ClaimPiece(this, evt);
            message.StartPiece(_analyzer.Piece);
            _pieceOpen = true;
        }
        _pieceOpen = false;
        _connection.ReleasePiece(this);
        ReadOnlySpan<byte> bytes = _analyzer.Piece.Span;
        if (!final)
        {
            bytes = message.HoldBackCutCharacter(bytes);
        }
        if (bytes.IsEmpty)
        {
            return;
        }
        _analyzer.EmitPiece(_connection.Connection, Exchange, message, bytes, evt);
    }

    /// <summary>The message ended or was cut: the decoder goes.</summary>
    public void End()
    {
        _decoder?.Dispose();
        _decoder = null;
    }

    /// <summary>Body bytes after every decoding.</summary>
    private void Decoded(ReadOnlySpan<byte> bytes)
    {
        var message = Message;
        if (message.Streamed)
        {
            if (!_pieceOpen)
            {
                _connection.ClaimPiece(this, null);
                _pieceOpen = true;
                message.StartPiece(_analyzer.Piece);
            }
            _analyzer.Piece.Append(bytes);
            message.BodySize += bytes.Length;
            return;
        }
        message.Keep(bytes, _analyzer);
    }
}
