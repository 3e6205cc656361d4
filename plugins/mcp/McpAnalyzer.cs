using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Mcp;

/// <summary>
/// The <c>mcp</c> analyzer: JSON-RPC 2.0 messages of MCP clients and servers, read from <c>stdio</c> events
/// (newline-delimited or <c>Content-Length</c> framed, reassembled per stream and writer) and from the exchanges of
/// the streamable HTTP transport (a POSTed message; its answer as <c>application/json</c> or as the events of a
/// <c>text/event-stream</c> body's <c>http_body</c> pieces), paired by id within one client/server pair. Every event
/// it reads goes on unchanged; an exchange's <c>mcp</c> events follow its <c>http</c> event.
/// </summary>
internal sealed class McpAnalyzer : IAnalyzer
{
    private const int MaxNames = 4096;

    private readonly McpAnalyzerConfig _config;
    private readonly McpCounters _counters;
    private readonly CallTable _calls;
    private readonly Dictionary<int, string> _names = [];

    private readonly Dictionary<StdioStreamKey, StdioStream> _stdio = [];
    private readonly LinkedList<StdioStream> _stdioLru = new();
    private readonly Dictionary<string, HttpStream> _http = new(StringComparer.Ordinal);
    private readonly LinkedList<HttpStream> _httpLru = new();
    private int _held;

    /// <summary>The output of the event being processed, for messages the framers hand back while it is read.</summary>
    private IEventOutput? _output;

    public McpAnalyzer(McpAnalyzerConfig config, IStageContext context)
    {
        _config = config;
        _counters = new McpCounters(context);
        _calls = new CallTable(config, _counters, new McpEventBuilder(config, _names));
    }

    /// <summary>Requests waiting for their response now.</summary>
    public int PendingCount => _calls.PendingCount;

    public void Process(AgentEvent evt, IEventOutput output)
    {
        switch (evt.Data)
        {
            case StdioPayload stdio:
                output.Emit(evt);
                OnStdio(evt, stdio, output);
                return;
            case HttpBodyPayload piece:
                output.Emit(evt);
                OnPiece(evt, piece.ExchangeId, piece.ContentType, piece.Offset, piece.Bytes.Span);
                return;
            case JsonPayload json when evt.Source == EventNames.Stdio:
                // A stdio event an earlier stage turned into its JSON form.
                output.Emit(evt);
                if (AgentEventJson.TryReadStdio(json.Fields) is { } parsed)
                {
                    OnStdio(evt, parsed, output);
                }
                return;
            case JsonPayload json when evt.Source == EventNames.Http:
                OnHttp(evt, json.Fields, output);
                return;
            case JsonPayload json when evt.Source == EventNames.HttpBody:
                // A recorded piece, replayed: the same fields as the typed payload's JSON.
                output.Emit(evt);
                if (Str(json.Fields, "exchange_id") is { } exchange && Str(json.Fields, "data") is { } data)
                {
                    OnPiece(evt, exchange, Str(json.Fields, "content_type"), Long(json.Fields, "offset") ?? -1, PayloadBytes.Decode(data));
                }
                return;
            default:
                output.Emit(evt);
                return;
        }
    }

    public void Flush(IEventOutput output)
    {
        _output = output;
        foreach (var stream in _stdioLru)
        {
            stream.Finish();
        }
        _stdio.Clear();
        _stdioLru.Clear();
        foreach (var stream in _httpLru)
        {
            // An exchange whose http event never came: its messages have no request to pair with.
            _counters.HeldDropped.Add(stream.Messages.Count);
        }
        _http.Clear();
        _httpLru.Clear();
        _held = 0;
        _calls.Flush(output);
        _output = null;
    }

    private void OnStdio(AgentEvent evt, StdioPayload payload, IEventOutput output)
    {
        if (payload.Bytes.IsEmpty)
        {
            return;
        }
        var written = payload.Direction == IoDirection.Write;
        var writer = written ? evt.Pid : payload.PeerPid ?? 0;
        var key = payload.StreamId != 0 && writer != 0
            ? new StdioStreamKey(payload.StreamId, writer, 0, true)
            : new StdioStreamKey(payload.StreamId, evt.Pid, payload.Fd, written);
        if (!_stdio.TryGetValue(key, out var stream))
        {
            // A stream is read from the first side seen; a message would otherwise count twice when both ends are traced.
            stream = new StdioStream(key, payload.Direction, _config.MaxMessageBytes, _counters, OnMessage);
            while (_stdio.Count >= _config.MaxStreams && _stdioLru.First is { } oldest)
            {
                // A stream between messages is forgotten at no loss (its next bytes start a new one); one in the
                // middle of a message loses it.
                if (!oldest.Value.IsIdle)
                {
                    _counters.StreamsEvicted.Add();
                }
                _stdio.Remove(oldest.Value.Key);
                _stdioLru.RemoveFirst();
            }
            _stdio[key] = stream;
            stream.Lru = _stdioLru.AddLast(stream);
        }
        else
        {
            _stdioLru.Remove(stream.Lru!);
            _stdioLru.AddLast(stream.Lru!);
        }
        if (stream.ReadFrom != payload.Direction)
        {
            _counters.Duplicates.Add();
            return;
        }
        Remember(evt.Pid, evt.Comm);
        _output = output;
        stream.Feed(evt, payload);
        _output = null;
    }

    private void OnMessage(JsonRpcMessage message, MessageOrigin origin) => _calls.OnMessage(message, origin, _output!);

    private void OnPiece(AgentEvent evt, string exchangeId, string? contentType, long offset, ReadOnlySpan<byte> bytes)
    {
        if (!IsEventStream(contentType))
        {
            return;
        }
        if (!_http.TryGetValue(exchangeId, out var stream))
        {
            stream = new HttpStream(exchangeId, _config.MaxMessageBytes, _counters, MayHold);
            while (_http.Count >= _config.MaxStreams && _httpLru.First is { } oldest)
            {
                _counters.StreamsEvicted.Add();
                _counters.HeldDropped.Add(oldest.Value.Messages.Count);
                Release(oldest.Value);
            }
            _http[exchangeId] = stream;
            stream.Lru = _httpLru.AddLast(stream);
        }
        var before = stream.Messages.Count;
        stream.Feed(evt, offset, bytes);
        _held += stream.Messages.Count - before;
    }

    private bool MayHold() => _held < _config.MaxHeldMessages;

    private void Release(HttpStream stream)
    {
        _http.Remove(stream.ExchangeId);
        _httpLru.Remove(stream.Lru!);
        _held -= stream.Messages.Count;
    }

    private void OnHttp(AgentEvent evt, JsonObject http, IEventOutput output)
    {
        output.Emit(evt);
        var exchangeId = Str(http, "exchange_id");
        HttpStream? streamed = null;
        if (exchangeId is not null && _http.TryGetValue(exchangeId, out streamed))
        {
            var before = streamed.Messages.Count;
            streamed.Finish();
            _held += streamed.Messages.Count - before;
            Release(streamed);
        }
        var request = http["request"] as JsonObject;
        var response = http["response"] as JsonObject;
        var asked = Messages(Str(request, "body"));
        var answered = Messages(IsEventStream(Header(response, "content-type")) ? null : Str(response, "body"));
        if (asked.Count == 0 && answered.Count == 0 && (streamed is null || streamed.Messages.Count == 0))
        {
            return;
        }
        Remember(evt.Pid, evt.Comm);
        var session = Header(response, "mcp-session-id") ?? Header(request, "mcp-session-id");
        var host = Str(request, "host");
        var path = Str(request, "path");
        var url = host is null ? path : $"{host}{path}";
        var conversation = session ?? $"{url}@{evt.Pid}";
        var tracedIsServer = Str(http, "role") == "server";
        var client = new Endpoint($"http:{conversation}:client", tracedIsServer ? null : evt.Pid);
        var server = new Endpoint($"http:{conversation}:server", tracedIsServer ? evt.Pid : null);
        var fromClient = new MessageOrigin
        {
            Transport = "http", Sender = client, Receiver = server, Pid = evt.Pid, Tid = evt.Tid, Comm = evt.Comm,
            ExchangeId = exchangeId, SessionId = session, Url = url,
        };
        var fromServer = fromClient with { Sender = server, Receiver = client };
        var askedAt = Long(request, "end_ns") ?? Long(request, "start_ns") ?? evt.Timestamp;
        foreach (var message in asked)
        {
            message.Timestamp = askedAt;
            _calls.OnMessage(message, fromClient, output);
        }
        if (streamed is not null)
        {
            foreach (var message in streamed.Messages)
            {
                _calls.OnMessage(message, fromServer, output);
            }
        }
        var answeredAt = Long(response, "end_ns") ?? evt.Timestamp;
        foreach (var message in answered)
        {
            message.Timestamp = answeredAt;
            _calls.OnMessage(message, fromServer, output);
        }
    }

    /// <summary>The JSON-RPC messages of an HTTP body, counted when it looked like one and was not.</summary>
    private List<JsonRpcMessage> Messages(string? body)
    {
        if (string.IsNullOrEmpty(body) || !body.Contains("\"jsonrpc\"", StringComparison.Ordinal))
        {
            return [];
        }
        var bytes = body.StartsWith("HEX:", StringComparison.Ordinal) ? PayloadBytes.Decode(body) : Encoding.UTF8.GetBytes(body);
        if (bytes.Length > _config.MaxMessageBytes)
        {
            _counters.TooLarge.Add();
            return JsonRpcMessage.FromCut(bytes.AsSpan(0, 4096), bytes.AsSpan(Math.Max(0, bytes.Length - 512))) is { } cut ? [cut] : [];
        }
        var messages = JsonRpcMessage.ParseAll(bytes);
        if (messages.Count == 0)
        {
            _counters.Unreadable.Add();
        }
        return messages;
    }

    private void Remember(int pid, string comm)
    {
        if (string.IsNullOrEmpty(comm) || (_names.TryGetValue(pid, out var known) && known == comm))
        {
            return;
        }
        if (_names.Count >= MaxNames)
        {
            _names.Clear();
        }
        _names[pid] = comm;
    }

    private static bool IsEventStream(string? contentType) =>
        contentType is not null && contentType.TrimStart().StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);

    private static string? Header(JsonObject? message, string name) => Str(message?["headers"] as JsonObject, name);

    private static string? Str(JsonObject? obj, string name) =>
        obj?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static long? Long(JsonObject? obj, string name) =>
        obj?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue(out long n) ? n
        : obj?[name] is JsonValue other && other.GetValueKind() == JsonValueKind.Number && other.TryGetValue(out double d) ? (long)d
        : null;
}
