using AgentSight.Contracts;
using AgentSight.Plugins.Http.Http2;
using AgentSight.Plugins.Http.WebSocket;

namespace AgentSight.Plugins.Http;

/// <summary>
/// One TLS connection: its two message streams, and the exchanges in flight, paired first in first out (so
/// pipelined requests get their responses in order). A connection that turns out to be HTTP/2 (its preface, an
/// <c>Upgrade: h2c</c>, or frames when first seen) is handed whole to its <see cref="Http2"/> reader.
/// </summary>
internal sealed class HttpConnection
{
    private readonly HttpAnalyzer _analyzer;
    private readonly List<HttpExchange> _open = [];
    private readonly HttpRole _configuredRole;
    private readonly string _idPrefix;
    private int _count;

    /// <summary>An HTTP/1 head was parsed: the connection is HTTP/1 (until a handshake restarts it, or it upgrades).</summary>
    private bool _http1Seen;

    public HttpConnection(ConnectionKey key, HttpAnalyzer analyzer, HttpRole role)
    {
        Key = key;
        ConnId = key.Format();
        _idPrefix = key.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + ConnId + ":";
        _analyzer = analyzer;
        _configuredRole = role;
        Writes = new MessageStream(this, analyzer, isWrite: true);
        Reads = new MessageStream(this, analyzer, isWrite: false);
        SetRole(role);
    }

    public ConnectionKey Key { get; }

    /// <summary>The <c>conn_id</c> field.</summary>
    public string ConnId { get; }

    public MessageStream Writes { get; }

    public MessageStream Reads { get; }

    /// <summary>Client or server once known (auto until the first start line).</summary>
    public HttpRole Role { get; private set; }

    /// <summary>Pipeline time of the last byte seen.</summary>
    public long LastActivity { get; set; }

    /// <summary>The last event seen: its thread and process name label what the connection emits on its own.</summary>
    public AgentEvent? LastEvent { get; set; }

    /// <summary>This connection's place in the analyzer's least-recently-used list.</summary>
    public LinkedListNode<HttpConnection>? Lru { get; set; }

    /// <summary>This connection's place in the analyzer's list of connections the idle timer looks at, or null.</summary>
    public LinkedListNode<HttpConnection>? Active { get; set; }

    /// <summary>The HTTP/2 reader, once the connection is known to be HTTP/2.</summary>
    public Http2Connection? Http2 { get; private set; }

    /// <summary>The WebSocket reader, once a <c>101</c> switched the connection to WebSocket.</summary>
    public WebSocketConnection? WebSocket { get; private set; }

    /// <summary>A client preface being gathered across writes (or reads), while it is incomplete.</summary>
    public Http2Start? Http2Prelude { get; set; }

    /// <summary>True when something is in progress: an exchange, a message or a held event.</summary>
    public bool Busy => _open.Count > 0 || Writes.InMessage || Reads.InMessage || Http2Prelude is not null || Http2 is { Busy: true };

    public long BufferedBytes => Writes.BufferedBytes + Reads.BufferedBytes + (Http2?.BufferedBytes ?? 0) + (WebSocket?.BufferedBytes ?? 0);

    public FeedResult Feed(AgentEvent evt, TlsPayload tls)
    {
        LastActivity = evt.Timestamp;
        LastEvent = evt;
        if (Http2 is { } http2)
        {
            return http2.Feed(evt, tls);
        }
        if (WebSocket is { } webSocket)
        {
            return webSocket.Feed(evt, tls);
        }
        var stream = tls.Direction == TlsDirection.Write ? Writes : Reads;
        if (!_http1Seen && _analyzer.Config.Http2 && Http2Start.TryFeed(this, _analyzer, stream, evt, tls, out var result))
        {
            return result;
        }
        return stream.Feed(evt, tls);
    }

    /// <summary>From now on the connection is HTTP/2: the HTTP/1 streams let go of what they held.</summary>
    public Http2Connection StartHttp2(Http2Connection http2, AgentEvent evt)
    {
        Http2 = http2;
        Writes.Upgrade(evt);
        Reads.Upgrade(evt);
        return http2;
    }

    /// <summary>A head was parsed on <paramref name="stream"/>: pairs it into an exchange and decides its body's framing.</summary>
    public BodyFraming OnHead(MessageStream stream, HttpHead head, HttpMessage message, AgentEvent evt, out HttpExchange? exchange)
    {
        _http1Seen = true;
        if (stream.Kind == MessageKind.Unknown)
        {
            SetRole(head.Kind == MessageKind.Request == stream.IsWrite ? HttpRole.Client : HttpRole.Server);
        }
        var other = stream.IsWrite ? Reads : Writes;

        if (head.Kind == MessageKind.Request)
        {
            if (other.UntilClose || (other.IsOpaque && _open.Count > 0))
            {
                // A response that runs until the connection closes cannot be followed by a request: the connection
                // id was reused by a new connection whose handshake was not seen.
                CutOpen(EndReasons.ConnectionReused, evt);
                other.Reset(evt, opaque: false);
            }
            exchange = new HttpExchange(NextId(), message);
            _open.Add(exchange);
            return BodyFraming.Of(head, null);
        }

        HttpExchange? target = null;
        foreach (var open in _open)
        {
            if (open.Response is null)
            {
                target = open;
                break;
            }
        }
        var framing = BodyFraming.Of(head, target?.Request?.Head.Method);
        if (framing.Kind == BodyKind.Interim)
        {
            exchange = null;
            return framing;
        }
        if (target is null)
        {
            // The capture began after the request was sent, or the request was not HTTP we could read.
            _analyzer.Counters.OrphanResponses.Add();
            target = new HttpExchange(NextId(), null);
            _open.Add(target);
        }
        target.Response = message;
        exchange = target;
        if (framing.Kind == BodyKind.Upgrade && _analyzer.Config.Http2 && IsH2cUpgrade(head, target))
        {
            // Upgrade: h2c answered 101: the request becomes stream 1, and both directions go on in HTTP/2.
            message.Ended = true;
            target.Response = null;
            _open.Remove(target);
            CutOpen(EndReasons.Upgrade, evt);
            var clientIsWrite = Role != HttpRole.Server;
            Http2 = Http2Connection.FromUpgrade(this, _analyzer, clientIsWrite, target);
            Writes.Upgrade(evt);
            Reads.Upgrade(evt);
            return framing;
        }
        if (framing.Kind == BodyKind.Upgrade)
        {
            _analyzer.Counters.Upgrades.Add();
            message.Ended = true;
            _open.Remove(target);
            _analyzer.EmitExchange(this, target, complete: target.Request is { Ended: true }, EndReasons.Upgrade, evt);
            CutOpen(EndReasons.Upgrade, evt);
            if (_analyzer.Config.Websocket && IsWebSocketUpgrade(head, target))
            {
                // The rest of the read that carried the 101, and all that follows both ways, are frames.
                WebSocket = new WebSocketConnection(this, _analyzer, clientIsWrite: Role != HttpRole.Server, target.Id,
                    head.Get("sec-websocket-extensions"));
            }
            Writes.Upgrade(evt);
            Reads.Upgrade(evt);
        }
        return framing;
    }

    /// <summary>A message ended: its exchange is emitted once both of its messages have.</summary>
    public void OnMessageEnd(MessageStream stream, HttpExchange exchange, HttpMessage message, AgentEvent evt)
    {
        _ = stream;
        _ = message;
        if ((exchange.Request is null || exchange.Request.Ended) && exchange.Response is { Ended: true })
        {
            _open.Remove(exchange);
            _analyzer.EmitExchange(this, exchange, complete: exchange.Request is not null, EndReasons.ResponseEnd, evt);
        }
    }

    /// <summary>The bytes of <paramref name="stream"/> stopped making sense: everything in flight is cut.</summary>
    public void ProtocolError(MessageStream stream, string reason, AgentEvent evt)
    {
        CutOpen(reason, evt);
        stream.Reset(evt, opaque: true);
        var other = stream.IsWrite ? Reads : Writes;
        if (other.InMessage)
        {
            other.Reset(evt, opaque: true);
        }
    }

    /// <summary>Ends everything in progress with <paramref name="reason"/> and starts both streams afresh.</summary>
    public void Cut(string reason, AgentEvent? evt)
    {
        CutOpen(reason, evt);
        Writes.Reset(evt, opaque: false);
        Reads.Reset(evt, opaque: false);
        Http2Prelude?.Release(_analyzer);
        Http2Prelude = null;
        if (WebSocket is { } webSocket)
        {
            // As for HTTP/2: a connection that goes on (an idle timeout) keeps its framing and its inflaters.
            if (reason is EndReasons.Evicted or EndReasons.ProcessExit or EndReasons.Shutdown)
            {
                webSocket.Close();
            }
            else
            {
                webSocket.Cut();
            }
        }
        if (Http2 is { } http2)
        {
            // Cut streams end; an HTTP/2 connection that goes on keeps its HPACK state (an idle timeout).
            if (reason is EndReasons.Evicted or EndReasons.ProcessExit or EndReasons.Shutdown)
            {
                http2.Close(reason, evt);
            }
            else
            {
                http2.Cut(reason, evt);
            }
        }
    }

    /// <summary>A new TLS session on the same connection object: the old one is over, the exchange count goes on.</summary>
    public void Restart(AgentEvent evt)
    {
        CutOpen(EndReasons.ConnectionClosed, evt);
        Http2?.Close(EndReasons.ConnectionClosed, evt);
        Http2 = null;
        WebSocket?.Close();
        WebSocket = null;
        Http2Prelude?.Release(_analyzer);
        Http2Prelude = null;
        _http1Seen = false;
        Writes.Restart();
        Reads.Restart();
        SetRole(_configuredRole);
    }

    private void CutOpen(string reason, AgentEvent? evt)
    {
        if (_open.Count == 0)
        {
            return;
        }
        // Pieces of a streamed body go out before the exchange they belong to.
        Writes.FlushPiece(evt);
        Reads.FlushPiece(evt);
        // A response delimited by the connection's close is whole when the connection is known to have closed.
        var closed = reason is EndReasons.ConnectionClosed or EndReasons.ProcessExit;
        var responses = Role == HttpRole.Server ? Writes : Reads;
        var exchanges = _open.ToArray();
        _open.Clear();
        foreach (var exchange in exchanges)
        {
            if (closed && responses.UntilClose && exchange.Response is { Ended: false } response)
            {
                response.Ended = true;
            }
            var complete = exchange.Request is { Ended: true } && exchange.Response is { Ended: true };
            _analyzer.EmitExchange(this, exchange, complete, reason, evt);
        }
    }

    /// <summary>The next exchange id on this connection (HTTP/2 numbers its streams' exchanges with it too).</summary>
    public string NextExchangeId() => NextId();

    private string NextId() => _idPrefix + (++_count).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An <c>Upgrade: h2c</c> request answered <c>101</c> with <c>Upgrade: h2c</c> (RFC 7540 §3.2).</summary>
    private static bool IsH2cUpgrade(HttpHead response, HttpExchange exchange) =>
        response.Status == 101 && IsH2c(response.Get("upgrade")) && exchange.Request is { } request && IsH2c(request.Head.Get("upgrade"));

    /// <summary>An <c>Upgrade: websocket</c> request answered <c>101</c> with <c>Upgrade: websocket</c> (RFC 6455 §4.2.2).</summary>
    private static bool IsWebSocketUpgrade(HttpHead response, HttpExchange exchange) =>
        response.Status == 101 && IsToken(response.Get("upgrade"), "websocket")
        && exchange.Request is { } request && IsToken(request.Head.Get("upgrade"), "websocket");

    private static bool IsToken(string? list, string token) =>
        list is not null && list.Split(',', StringSplitOptions.TrimEntries).Any(p => p.Equals(token, StringComparison.OrdinalIgnoreCase));

    private static bool IsH2c(string? upgrade) =>
        upgrade is not null && upgrade.Split(',', StringSplitOptions.TrimEntries).Any(p => p.Equals("h2c", StringComparison.OrdinalIgnoreCase));

    /// <summary>Sets the role (HTTP/2 sets it from the preface, or from the first head seen).</summary>
    public void SetRole(HttpRole role)
    {
        Role = role;
        (Writes.Kind, Reads.Kind) = role switch
        {
            HttpRole.Client => (MessageKind.Request, MessageKind.Response),
            HttpRole.Server => (MessageKind.Response, MessageKind.Request),
            _ => (MessageKind.Unknown, MessageKind.Unknown),
        };
    }
}
