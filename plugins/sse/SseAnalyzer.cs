using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.Sse;

/// <summary>
/// The <c>sse</c> analyzer: reads the <c>http_body</c> pieces of streamed responses into one stream per exchange,
/// parses Server-Sent Events (or NDJSON) and accumulates the provider's format. When the exchange's <c>http</c>
/// event comes by, passes it on and emits the <c>sse</c> event right after it, so they leave in that order.
/// </summary>
internal sealed class SseAnalyzer : IAnalyzer
{
    private readonly SseAnalyzerConfig _config;
    private readonly IStageContext _context;
    private readonly SseCounters _counters;
    private readonly Dictionary<string, SseStream> _streams = new(StringComparer.Ordinal);
    private readonly LinkedList<SseStream> _lru = new();
    private readonly BoundedIdSet _evicted;
    private readonly BoundedIdSet _emitted;
    private readonly long _idleTimeoutNs;
    private byte[] _scratch = new byte[4096];
    private long _held;

    public SseAnalyzer(SseAnalyzerConfig config, IStageContext context)
    {
        _config = config;
        _context = context;
        _counters = new SseCounters(context);
        _evicted = new BoundedIdSet(config.MaxStreams);
        _emitted = new BoundedIdSet(config.MaxStreams);
        _idleTimeoutNs = config.IdleTimeoutMs * 1_000_000;
    }

    public TimeSpan TimerInterval => TimeSpan.FromSeconds(1);

    /// <summary>Streams open now.</summary>
    public int StreamCount => _streams.Count;

    /// <summary>Bytes all streams hold now.</summary>
    public long HeldBytes => _held;

    /// <summary>The framing of a streamed body by its content type: <c>sse</c>, <c>ndjson</c>, or null when not a stream read here.</summary>
    public static string? FramingOf(string? contentType)
    {
        if (contentType is null)
        {
            return null;
        }
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var type = (semicolon >= 0 ? contentType.AsSpan(0, semicolon) : contentType.AsSpan()).Trim();
        if (type.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            return "sse";
        }
        if (type.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase) || type.Equals("application/jsonl", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/ndjson", StringComparison.OrdinalIgnoreCase))
        {
            return "ndjson";
        }
        return null;
    }

    public void Process(AgentEvent evt, IEventOutput output)
    {
        switch (evt.Source)
        {
            case EventNames.HttpBody when evt.Data is HttpBodyPayload piece:
                OnPiece(evt, piece, output);
                break;
            case EventNames.HttpBody when evt.Fields is { } fields && AgentEventJson.TryReadHttpBody(fields) is { } piece:
                // A piece written as JSON (another producer, or a recording read without its type): same path.
                OnPiece(evt, piece, output);
                break;
            case EventNames.Http when evt.Fields is { } exchange:
                output.Emit(evt);
                OnExchange(evt, exchange, output);
                break;
            default:
                output.Emit(evt);
                break;
        }
    }

    public void OnTimer(long now, IEventOutput output)
    {
        List<SseStream>? idle = null;
        foreach (var stream in _lru)
        {
            if (now - stream.LastActivity < _idleTimeoutNs)
            {
                // The list is in order of activity: the rest are more recent.
                break;
            }
            (idle ??= []).Add(stream);
        }
        if (idle is null)
        {
            return;
        }
        foreach (var stream in idle)
        {
            _counters.IdleTimeouts.Add();
            stream.Finish();
            _emitted.Add(stream.ExchangeId);
            Emit(stream, stream.LastPiece, "idle_timeout", complete: stream.Ended && !stream.Gap, output);
            Remove(stream);
        }
    }

    public void Flush(IEventOutput output)
    {
        foreach (var stream in _lru)
        {
            stream.Finish();
            Emit(stream, stream.LastPiece, "shutdown", complete: stream.Ended && !stream.Gap, output);
            stream.Release();
        }
        _streams.Clear();
        _lru.Clear();
        _held = 0;
    }

    private void OnPiece(AgentEvent evt, HttpBodyPayload piece, IEventOutput output)
    {
        var id = piece.ExchangeId;
        if (FramingOf(piece.ContentType) is not { } framing)
        {
            output.Emit(evt);
            return;
        }
        if (_evicted.Contains(id) || _emitted.Contains(id))
        {
            _counters.ChunksDropped.Add();
            if (_config.KeepChunks)
            {
                output.Emit(evt);
            }
            return;
        }
        if (!_streams.TryGetValue(id, out var stream))
        {
            while (_streams.Count >= _config.MaxStreams && _lru.First is { } oldest)
            {
                Evict(oldest.Value);
            }
            stream = new SseStream(id, piece.ConnectionId, piece.Host, piece.Path, piece.ContentType, framing, _config, _counters);
            stream.Lru = _lru.AddLast(stream);
            _streams[id] = stream;
        }
        else
        {
            _lru.Remove(stream.Lru!);
            _lru.AddLast(stream.Lru!);
        }

        var before = stream.HeldBytes;
        stream.Feed(piece.Bytes.Span, piece.Offset, evt);
        _held += stream.HeldBytes - before;
        _counters.ChunksConsumed.Add();
        if (_config.KeepChunks)
        {
            output.Emit(evt);
        }
        if (_held > _config.MaxTotalBytes)
        {
            EvictForMemory(stream);
        }
    }

    private void OnExchange(AgentEvent evt, JsonObject exchange, IEventOutput output)
    {
        if (exchange["response"] is not JsonObject response || response["streamed"] is not JsonValue streamed
            || !streamed.TryGetValue(out bool isStreamed) || !isStreamed
            || exchange["exchange_id"] is not JsonValue idValue || !idValue.TryGetValue(out string? id))
        {
            return;
        }
        var headers = response["headers"] as JsonObject;
        var contentType = headers?["content-type"] is JsonValue ct && ct.TryGetValue(out string? text) ? text : null;
        if (FramingOf(contentType) is not { } framing)
        {
            return;
        }
        var httpComplete = exchange["complete"] is JsonValue c && c.TryGetValue(out bool done) && done;
        var httpReason = exchange["end_reason"] is JsonValue r && r.TryGetValue(out string? reason) ? reason : "body_end";

        if (_streams.TryGetValue(id, out var stream))
        {
            stream.Finish();
            var complete = !stream.Gap && (stream.Ended || (httpComplete && !stream.HasEndMarker()));
            var endReason = stream.Ended ? "end_marker" : httpComplete ? "body_end" : httpReason;
            Emit(stream, evt, endReason, complete, output);
            Remove(stream);
            return;
        }
        if (_emitted.Remove(id))
        {
            return; // Emitted at its idle timeout already.
        }
        var bodySize = response["body_size"] is JsonValue size && size.TryGetValue(out long n) ? n : 0;
        var lost = _evicted.Remove(id) || bodySize > 0;
        // No piece reached this stage: an empty body, or the stream was evicted (or its pieces went elsewhere).
        static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;
        var request = exchange["request"] as JsonObject;
        var empty = new SseStream(id, Text(exchange["conn_id"]), Text(request?["host"]), Text(request?["path"]), contentType, framing, _config, _counters);
        Emit(empty, evt, lost ? "evicted" : httpComplete ? "body_end" : httpReason, complete: false, output, lost ? bodySize : 0);
        empty.Release();
    }

    private void Emit(SseStream stream, AgentEvent? label, string endReason, bool complete, IEventOutput output, long lostBytes = 0)
    {
        var fields = stream.ToJson(endReason, complete);
        if (lostBytes > 0)
        {
            fields["bytes"] = lostBytes;
            fields["truncated"] = true;
        }
        _counters.Streams.Add();
        if (!complete)
        {
            _counters.StreamsIncomplete.Add();
        }
        var time = label?.Timestamp ?? stream.LastActivity;
        output.Emit(new AgentEvent(time, EventNames.Sse, label?.Pid ?? 0, label?.Tid ?? 0, label?.Comm ?? "", new JsonPayload(fields)));
    }

    private void EvictForMemory(SseStream current)
    {
        var node = _lru.First;
        while (_held > _config.MaxTotalBytes && node is not null)
        {
            var next = node.Next;
            if (node.Value != current)
            {
                Evict(node.Value);
            }
            node = next;
        }
    }

    private void Evict(SseStream stream)
    {
        _counters.StreamsEvicted.Add();
        _context.Logger.LogDebug("Evicted stream {Exchange} ({Bytes} bytes held) to stay under the caps", stream.ExchangeId, stream.HeldBytes);
        _evicted.Add(stream.ExchangeId);
        Remove(stream);
    }

    private void Remove(SseStream stream)
    {
        _held -= stream.HeldBytes;
        stream.Release();
        _streams.Remove(stream.ExchangeId);
        _lru.Remove(stream.Lru!);
    }
}
