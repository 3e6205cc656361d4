using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.JsonNodes;
using AgentSight.Plugins.Llm.Apis;
using AgentSight.Plugins.Llm.WebSocket;

namespace AgentSight.Plugins.Llm;

/// <summary>
/// The <c>llm</c> analyzer: one event per call to a model. A non-streamed call's <c>http</c> event goes on at once,
/// followed by its <c>llm</c> event; a streamed call's <c>http</c> event is held until its <c>sse</c> event comes
/// (normally right behind it), then <c>http</c>, <c>sse</c> and <c>llm</c> leave in that order. Holding is bounded
/// in count (<c>max_held</c>) and time (<c>hold_timeout_ms</c>). Calls over a WebSocket (the Responses API's WebSocket
/// transport, the Realtime API) are read from the <c>websocket</c> events of connections whose upgrade went to a
/// model's path; each call's <c>llm</c> event follows the message that ended it.
/// </summary>
internal sealed class LlmAnalyzer : IAnalyzer
{
    private readonly LlmAnalyzerConfig _config;
    private readonly LlmCounters _counters;
    private readonly long _holdNs;

    /// <summary>Held events by exchange id, in arrival order.</summary>
    private readonly Dictionary<string, Held> _held = new(StringComparer.Ordinal);
    private readonly LinkedList<Held> _order = new();

    /// <summary>Exchange ids of streamed http events that were passed on without holding (not calls to a model).</summary>
    private readonly HashSet<string> _passed = new(StringComparer.Ordinal);
    private readonly Queue<string> _passedOrder = new();

    private readonly SocketCalls _sockets;

    public LlmAnalyzer(LlmAnalyzerConfig config, IStageContext context)
    {
        _config = config;
        _counters = new LlmCounters(context);
        _holdNs = config.HoldTimeoutMs * 1_000_000;
        _sockets = new SocketCalls(config, _counters, EmitSocketCall);
    }

    public TimeSpan TimerInterval => TimeSpan.FromSeconds(1);

    /// <summary>Events held now.</summary>
    public int HeldCount => _held.Count;

    public void Process(AgentEvent evt, IEventOutput output)
    {
        switch (evt.Source)
        {
            case EventNames.Http when evt.Fields is { } http:
                OnHttp(evt, http, output);
                break;
            case EventNames.Sse when evt.Fields is { } sse:
                OnSse(evt, sse, output);
                break;
            case EventNames.WebSocket when evt.Data is WebSocketMessagePayload message:
                _sockets.OnMessage(evt, message, output);
                break;
            default:
                output.Emit(evt);
                break;
        }
    }

    public void OnTimer(long now, IEventOutput output)
    {
        while (_order.First is { } oldest && now - oldest.Value.Since >= _holdNs)
        {
            Release(oldest.Value, output);
        }
    }

    public void Flush(IEventOutput output)
    {
        _sockets.Flush(output);
        while (_order.First is { } oldest)
        {
            Release(oldest.Value, output);
        }
    }

    private void OnHttp(AgentEvent evt, JsonObject http, IEventOutput output)
    {
        var request = Json.Obj(http, "request");
        var response = Json.Obj(http, "response");
        var id = Json.Str(http, "exchange_id");
        var method = Json.Str(request, "method");
        var path = Json.Str(request, "path");
        // Only bodies sent to a model's endpoint are parsed: other traffic goes through untouched and cheaply.
        var body = ModelApis.IsCandidate(method, path) ? Json.Parse(Json.Str(request, "body")) : null;
        var target = body is not null || ModelApis.IsCandidate(method, path)
            ? ModelApis.Detect(method, Json.Str(request, "host"), path, body)
            : null;
        var waitsForStream = Json.Bool(response, "streamed") == true && IsEventStream(response);
        if (Json.Long(response, "status") == 101)
        {
            output.Emit(evt);
            _sockets.TryFollow(http, output);
            return;
        }
        if (target is null || id is null)
        {
            output.Emit(evt);
            if (waitsForStream && id is not null)
            {
                RememberPassed(id);
            }
            return;
        }
        if (body is null && Json.Long(request, "body_size") > 0)
        {
            _counters.UnreadableRequests.Add();
        }
        if (!waitsForStream)
        {
            output.Emit(evt);
            EmitCall(evt, target, http, body, null, output);
            return;
        }
        if (_held.TryGetValue(id, out var early) && early.Sse is not null)
        {
            // The stream's event came first (it timed out upstream): pair them now.
            Forget(early);
            output.Emit(evt);
            output.Emit(early.Sse);
            EmitCall(evt, target, http, body, early.Sse.Fields, output);
            return;
        }
        Hold(id, new Held(id, evt.Timestamp) { Http = evt, Target = target, Body = body }, output);
    }

    private void OnSse(AgentEvent evt, JsonObject sse, IEventOutput output)
    {
        var id = Json.Str(sse, "exchange_id");
        if (id is null || _passed.Contains(id))
        {
            output.Emit(evt);
            return;
        }
        if (_held.TryGetValue(id, out var held) && held.Http is not null)
        {
            Forget(held);
            output.Emit(held.Http);
            output.Emit(evt);
            EmitCall(held.Http, held.Target!, held.Http.Fields!, held.Body, sse, output);
            return;
        }
        // Its http event has not come by (yet): wait for it, within the same bounds.
        Hold(id, new Held(id, evt.Timestamp) { Sse = evt }, output);
    }

    private void Hold(string id, Held held, IEventOutput output)
    {
        while (_held.Count >= _config.MaxHeld && _order.First is { } oldest)
        {
            Release(oldest.Value, output);
        }
        held.Node = _order.AddLast(held);
        _held[id] = held;
    }

    /// <summary>Lets a held event go alone: an http event with the call as far as it is known, or an unpaired sse event.</summary>
    private void Release(Held held, IEventOutput output)
    {
        Forget(held);
        if (held.Http is not null)
        {
            _counters.SseMissing.Add();
            output.Emit(held.Http);
            EmitCall(held.Http, held.Target!, held.Http.Fields!, held.Body, null, output);
        }
        else if (held.Sse is not null)
        {
            _counters.SseUnpaired.Add();
            output.Emit(held.Sse);
        }
    }

    private void Forget(Held held)
    {
        _held.Remove(held.Id);
        _order.Remove(held.Node!);
    }

    private void EmitCall(AgentEvent http, CallTarget target, JsonObject fields, JsonNode? body, JsonObject? sse, IEventOutput output)
    {
        var call = LlmEventBuilder.Build(target, fields, body, sse, _config);
        Count(call);
        output.Emit(new AgentEvent(http.Timestamp, EventNames.Llm, http.Pid, http.Tid, http.Comm, new JsonPayload(call)));
    }

    private void EmitSocketCall(SocketTarget target, SocketCall call, IEventOutput output)
    {
        var fields = LlmEventBuilder.Build(target, call, _config);
        Count(fields);
        var asked = call.Asked;
        // Stamped, like an HTTP call's, with the time its answer ended (as far as it was seen).
        output.Emit(new AgentEvent(call.EndNs ?? asked.Timestamp, EventNames.Llm, asked.Pid, asked.Tid, asked.Comm, new JsonPayload(fields)));
    }

    private void Count(JsonObject call)
    {
        _counters.Calls.Add();
        if (call["complete"] is JsonValue complete && !complete.GetValue<bool>())
        {
            _counters.CallsIncomplete.Add();
        }
        if (call.ContainsKey("error.type"))
        {
            _counters.CallsFailed.Add();
        }
    }

    private void RememberPassed(string id)
    {
        if (_passed.Add(id))
        {
            _passedOrder.Enqueue(id);
            while (_passedOrder.Count > _config.MaxHeld && _passedOrder.TryDequeue(out var oldest))
            {
                _passed.Remove(oldest);
            }
        }
    }

    /// <summary>True when the sse analyzer reads this body (event-stream or NDJSON), so an sse event will follow.</summary>
    private static bool IsEventStream(JsonObject? response)
    {
        var type = Json.Str(Json.Obj(response, "headers"), "content-type");
        if (type is null)
        {
            return false;
        }
        var semicolon = type.IndexOf(';', StringComparison.Ordinal);
        var media = (semicolon >= 0 ? type.AsSpan(0, semicolon) : type.AsSpan()).Trim();
        return media.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/ndjson", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/jsonl", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>An event waiting for its partner.</summary>
    private sealed class Held(string id, long since)
    {
        public string Id { get; } = id;

        /// <summary>Pipeline time it started waiting.</summary>
        public long Since { get; } = since;

        public AgentEvent? Http { get; init; }

        public CallTarget? Target { get; init; }

        public JsonNode? Body { get; init; }

        public AgentEvent? Sse { get; init; }

        public LinkedListNode<Held>? Node { get; set; }
    }
}
