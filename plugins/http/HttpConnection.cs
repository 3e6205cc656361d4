using AgentSight.Contracts;

namespace AgentSight.Plugins.Http;

/// <summary>
/// One TLS connection: its two message streams, and the exchanges in flight, paired first in first out (so
/// pipelined requests get their responses in order).
/// </summary>
internal sealed class HttpConnection
{
    private readonly HttpAnalyzer _analyzer;
    private readonly List<HttpExchange> _open = [];
    private readonly HttpRole _configuredRole;
    private readonly string _idPrefix;
    private int _count;

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

    /// <summary>True when something is in progress: an exchange, a message or a held event.</summary>
    public bool Busy => _open.Count > 0 || Writes.InMessage || Reads.InMessage;

    public long BufferedBytes => Writes.BufferedBytes + Reads.BufferedBytes;

    public FeedResult Feed(AgentEvent evt, TlsPayload tls)
    {
        LastActivity = evt.Timestamp;
        LastEvent = evt;
        return (tls.Direction == TlsDirection.Write ? Writes : Reads).Feed(evt, tls);
    }

    /// <summary>A head was parsed on <paramref name="stream"/>: pairs it into an exchange and decides its body's framing.</summary>
    public BodyFraming OnHead(MessageStream stream, HttpHead head, HttpMessage message, AgentEvent evt, out HttpExchange? exchange)
    {
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
        if (framing.Kind == BodyKind.Upgrade)
        {
            _analyzer.Counters.Upgrades.Add();
            message.Ended = true;
            _open.Remove(target);
            _analyzer.EmitExchange(this, target, complete: target.Request is { Ended: true }, EndReasons.Upgrade, evt);
            CutOpen(EndReasons.Upgrade, evt);
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
    }

    /// <summary>A new TLS session on the same connection object: the old one is over, the exchange count goes on.</summary>
    public void Restart(AgentEvent evt)
    {
        CutOpen(EndReasons.ConnectionClosed, evt);
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

    private string NextId() => _idPrefix + (++_count).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void SetRole(HttpRole role)
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
