using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.Buffers;
using AgentSight.Plugins.Http.Http2;
using AgentSight.Plugins.Http.WebSocket;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.Http;

/// <summary>
/// The <c>http</c> analyzer: rebuilds HTTP/1.x messages per connection and direction from any split of reads and
/// writes, pairs requests with responses, and emits one <c>http</c> event per exchange, preceded by
/// <c>http_body</c> pieces for streamed response bodies. HTTP/2 connections give the same events, one exchange per
/// stream (<see cref="Http2Connection"/>). Bytes that are neither stay <c>ssl</c> events.
/// </summary>
internal sealed class HttpAnalyzer : IAnalyzer
{
    private readonly IStageContext _context;
    private readonly Dictionary<ConnectionKey, HttpConnection> _connections = [];
    private readonly LinkedList<HttpConnection> _lru = new();

    /// <summary>
    /// The connections the idle timer has to look at, in the same order as in <see cref="_lru"/>: every connection
    /// is added (or moved to the end) when an event touches it, and leaves when the timer finds it idle with nothing
    /// in progress, which stays so until its next event. Scanning every connection each timer tick cost more than
    /// all the parsing on a fast replay (event time runs thousands of ticks a second), for the same result.
    /// </summary>
    private readonly LinkedList<HttpConnection> _active = new();

    /// <summary>At most the smallest <see cref="HttpConnection.LastActivity"/> in <see cref="_active"/>.</summary>
    private long _activeSince = long.MaxValue;
    private readonly HashSet<string> _streamedTypes;
    private readonly long _idleTimeoutNs;
    private IEventOutput? _output;
    private long _buffered;

    public HttpAnalyzer(HttpAnalyzerConfig config, IStageContext context)
    {
        Config = config;
        _context = context;
        Counters = new HttpCounters(context);
        Http2Counters = new Http2Counters(context);
        WebSocketCounters = new WebSocketCounters(context);
        KeepRaw = config.KeepRaw;
        _streamedTypes = new HashSet<string>(config.StreamedContentTypes.Select(t => t.Trim()), StringComparer.OrdinalIgnoreCase);
        _idleTimeoutNs = config.IdleTimeoutMs * 1_000_000;
    }

    public HttpAnalyzerConfig Config { get; }

    public HttpCounters Counters { get; }

    public Http2Counters Http2Counters { get; }

    public WebSocketCounters WebSocketCounters { get; }

    public bool KeepRaw { get; }

    /// <summary>The bytes of the streamed piece being gathered (one at a time).</summary>
    public ByteBuffer Piece { get; } = new();

    /// <summary>Connections tracked now.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Bytes held in buffers now.</summary>
    public long BufferedBytes => _buffered;

    public TimeSpan TimerInterval => TimeSpan.FromSeconds(1);

    public void Process(AgentEvent evt, IEventOutput output)
    {
        _output = output;
        try
        {
            if (evt.Data is TlsPayload tls && evt.Source is EventNames.Ssl or EventNames.Socket)
            {
                OnTls(evt, tls);
            }
            else if (evt.Source == EventNames.Process && evt.Fields?["event"] is JsonValue name
                && name.TryGetValue(out string? kind) && kind == "EXIT")
            {
                // Exchanges end before the exit that ended them.
                EndProcess(evt.Pid, evt);
                output.Emit(evt);
            }
            else
            {
                output.Emit(evt);
            }
        }
        finally
        {
            _output = null;
        }
    }

    public void OnTimer(long now, IEventOutput output)
    {
        _output = output;
        try
        {
            if (now - _activeSince < _idleTimeoutNs)
            {
                // No connection has been idle long enough: those not in the active list have nothing to cut.
                return;
            }
            var since = long.MaxValue;
            var node = _active.First;
            while (node is not null)
            {
                var next = node.Next;
                var connection = node.Value;
                if (now - connection.LastActivity < _idleTimeoutNs)
                {
                    since = Math.Min(since, connection.LastActivity);
                }
                else if (connection.Busy || connection.BufferedBytes > 0)
                {
                    Counters.IdleTimeouts.Add();
                    connection.Cut(EndReasons.IdleTimeout, null);
                    since = Math.Min(since, connection.LastActivity);
                }
                else
                {
                    // Idle with nothing in progress: nothing to cut until an event touches it again.
                    _active.Remove(node);
                    connection.Active = null;
                }
                node = next;
            }
            _activeSince = since;
        }
        finally
        {
            _output = null;
        }
    }

    public void Flush(IEventOutput output)
    {
        _output = output;
        try
        {
            foreach (var connection in _lru)
            {
                connection.Cut(EndReasons.Shutdown, null);
            }
            _connections.Clear();
            _lru.Clear();
            _active.Clear();
            _activeSince = long.MaxValue;
            Piece.Release();
        }
        finally
        {
            _output = null;
        }
    }

    public bool IsStreamedType(string mediaType) => _streamedTypes.Contains(mediaType);

    /// <summary>Memory accounting: a buffer grew.</summary>
    public void Grow(long bytes) => _buffered += bytes;

    /// <summary>Memory accounting: a buffer was returned.</summary>
    public void Release(long bytes) => _buffered -= bytes;

    /// <summary>Passes an event on untouched.</summary>
    public void EmitRaw(AgentEvent evt)
    {
        Counters.RawPassed.Add();
        _output!.Emit(evt);
    }

    /// <summary>Emits an event made here (a <c>websocket</c> message).</summary>
    public void EmitEvent(AgentEvent evt) => _output!.Emit(evt);

    /// <summary>Emits one piece of a streamed body.</summary>
    public void EmitPiece(HttpConnection connection, HttpExchange exchange, HttpMessage message, ReadOnlySpan<byte> bytes, AgentEvent? evt)
    {
        var label = evt ?? connection.LastEvent;
        // Bytes, not a JSON object: the stream parser downstream reads them as they are, with no text detour.
        var piece = new HttpBodyPayload(exchange.Id, connection.ConnId, message.PieceOffset, bytes.ToArray())
        {
            ContentType = message.ContentType,
            Host = exchange.Host,
            Path = exchange.Path,
        };
        Counters.BodyPieces.Add();
        _output!.Emit(new AgentEvent(evt?.Timestamp ?? message.EndNs, EventNames.HttpBody, connection.Key.Pid, label?.Tid ?? 0,
            label?.Comm ?? "", piece));
    }

    /// <summary>Emits an exchange and frees its buffers.</summary>
    public void EmitExchange(HttpConnection connection, HttpExchange exchange, bool complete, string endReason, AgentEvent? evt)
    {
        var label = evt ?? connection.LastEvent;
        var role = connection.Role == HttpRole.Server ? "server" : "client";
        var fields = exchange.ToJson(connection.ConnId, role, complete, endReason);
        var time = Math.Max(exchange.Response?.EndNs ?? 0, exchange.Request?.EndNs ?? 0);
        Counters.Exchanges.Add();
        if (!complete)
        {
            Counters.ExchangesIncomplete.Add();
        }
        if (exchange.Request?.Body is { } requestBody)
        {
            Release(requestBody.Release());
        }
        if (exchange.Response?.Body is { } responseBody)
        {
            Release(responseBody.Release());
        }
        _output!.Emit(new AgentEvent(time, EventNames.Http, connection.Key.Pid, label?.Tid ?? 0, label?.Comm ?? "", new JsonPayload(fields)));
    }

    private void OnTls(AgentEvent evt, TlsPayload tls)
    {
        var key = ConnectionKey.For(evt.Pid, evt.Tid, tls.ConnectionId);
        if (tls.Direction == TlsDirection.Handshake)
        {
            // A handshake starts a new TLS session: whatever the connection object carried before is over.
            if (_connections.TryGetValue(key, out var previous))
            {
                previous.Restart(evt);
            }
            _output!.Emit(evt);
            return;
        }

        var connection = Connection(key);
        // The feed below makes this event's time the connection's last activity.
        _activeSince = Math.Min(_activeSince, evt.Timestamp);
        if (KeepRaw)
        {
            _output!.Emit(evt);
        }
        var result = connection.Feed(evt, tls);
        if (!KeepRaw)
        {
            switch (result)
            {
                case FeedResult.Raw:
                    EmitRaw(evt);
                    break;
                case FeedResult.Consumed:
                    Counters.RawConsumed.Add();
                    break;
            }
        }
        if (_buffered > Config.MaxBufferedBytes)
        {
            EvictForMemory(connection);
        }
    }

    private HttpConnection Connection(ConnectionKey key)
    {
        if (_connections.TryGetValue(key, out var connection))
        {
            _lru.Remove(connection.Lru!);
            _lru.AddLast(connection.Lru!);
            Activate(connection);
            return connection;
        }
        while (_connections.Count >= Config.MaxConnections && _lru.First is { } oldest)
        {
            Evict(oldest.Value);
        }
        connection = new HttpConnection(key, this, Config.Role);
        connection.Lru = _lru.AddLast(connection);
        Activate(connection);
        _connections[key] = connection;
        return connection;
    }

    /// <summary>Puts a connection an event touches at the end of the active list, as <see cref="Connection"/> does in the LRU list.</summary>
    private void Activate(HttpConnection connection)
    {
        if (connection.Active is { } node)
        {
            _active.Remove(node);
            _active.AddLast(node);
        }
        else
        {
            connection.Active = _active.AddLast(connection);
        }
    }

    private void EvictForMemory(HttpConnection current)
    {
        var node = _lru.First;
        while (_buffered > Config.MaxBufferedBytes && node is not null)
        {
            var next = node.Next;
            if (node.Value != current && node.Value.BufferedBytes > 0)
            {
                Evict(node.Value);
            }
            node = next;
        }
        if (_buffered > Config.MaxBufferedBytes)
        {
            _context.Logger.LogDebug("Connection {Connection} alone holds {Bytes} bytes, over max_buffered_bytes", current.ConnId, current.BufferedBytes);
        }
    }

    private void Evict(HttpConnection connection)
    {
        Counters.ConnectionsEvicted.Add();
        connection.Cut(EndReasons.Evicted, null);
        Remove(connection);
    }

    private void EndProcess(int pid, AgentEvent exit)
    {
        List<HttpConnection>? ended = null;
        foreach (var connection in _lru)
        {
            if (connection.Key.Pid == pid)
            {
                (ended ??= []).Add(connection);
            }
        }
        if (ended is null)
        {
            return;
        }
        foreach (var connection in ended)
        {
            connection.Cut(EndReasons.ProcessExit, exit);
            Remove(connection);
        }
    }

    private void Remove(HttpConnection connection)
    {
        _connections.Remove(connection.Key);
        _lru.Remove(connection.Lru!);
        if (connection.Active is { } active)
        {
            _active.Remove(active);
            connection.Active = null;
        }
    }
}
