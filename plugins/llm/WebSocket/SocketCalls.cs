using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Llm.WebSocket;

/// <summary>
/// Calls to a model over WebSocket: the connections whose upgrade went to a model's path (<see cref="SocketTarget"/>),
/// each read by its API's <see cref="ModelSocket"/>; an ended call is handed to <paramref name="emit"/>. Bounded: at most
/// <c>max_held</c> connections are followed at once (the least recently active one is given up, its open calls
/// ending incomplete), and a call keeps at most <see cref="SocketCall.MaxItems"/> items.
/// </summary>
internal sealed class SocketCalls(LlmAnalyzerConfig config, LlmCounters counters, Action<SocketTarget, SocketCall, IEventOutput> emit)
{
    /// <summary>
    /// The message types whose content a call needs; any other (text and audio deltas, most of a stream) is known by
    /// its type alone and not parsed, when its type comes first as every client and server writes it.
    /// </summary>
    private static readonly HashSet<string> ReadWhole = new(StringComparer.Ordinal)
    {
        "response.create", "response.created", "response.output_item.done", "response.completed", "response.failed",
        "response.incomplete", "response.cancelled", "response.done", "error",
        "session.update", "session.created", "session.updated",
        "conversation.item.create", "conversation.item.created", "conversation.item.added",
        "conversation.item.input_audio_transcription.completed",
    };

    private readonly Dictionary<string, ModelSocket> _sockets = new(StringComparer.Ordinal);
    private readonly LinkedList<ModelSocket> _order = new();
    private readonly List<SocketCall> _ended = [];

    /// <summary>Starts following the connection an <c>http</c> event upgraded, when it went to a model's WebSocket path.</summary>
    public bool TryFollow(JsonObject http, IEventOutput output)
    {
        if (SocketTarget.FromUpgrade(http) is not { } target)
        {
            return false;
        }
        if (_sockets.Remove(target.ExchangeId, out var previous))
        {
            GiveUp(previous, output);
        }
        while (_sockets.Count >= config.MaxHeld && _order.First is { } oldest)
        {
            _sockets.Remove(oldest.Value.Target.ExchangeId);
            GiveUp(oldest.Value, output);
            counters.SocketsEvicted.Add();
        }
        ModelSocket socket = target.Api == SocketApi.Responses ? new ResponsesSocket(target) : new RealtimeSocket(target);
        socket.Node = _order.AddLast(socket);
        _sockets[target.ExchangeId] = socket;
        counters.Sockets.Add();
        return true;
    }

    /// <summary>Reads a <c>websocket</c> event of a followed connection (others are ignored).</summary>
    public void OnMessage(AgentEvent evt, JsonObject fields, IEventOutput output)
    {
        if (Json.Str(fields, "exchange_id") is not { } exchange || !_sockets.TryGetValue(exchange, out var socket))
        {
            return;
        }
        _order.Remove(socket.Node!);
        _order.AddLast(socket.Node!);
        var opcode = Json.Str(fields, "opcode");
        if (opcode == "close")
        {
            _sockets.Remove(exchange);
            GiveUp(socket, output);
            return;
        }
        if (opcode != "text")
        {
            return;
        }
        var text = Json.Str(fields, "text");
        var truncated = Json.Bool(fields, "truncated") == true;
        var (type, json) = Read(text);
        if (type is null && text is not null)
        {
            counters.SocketMessagesUnreadable.Add();
        }
        var message = new SocketMessage(evt, Json.Str(fields, "direction") == "client", type, json, Json.Long(fields, "end_ns"), truncated || text is null);
        socket.OnMessage(message, _ended);
        EmitEnded(socket.Target, output);
    }

    /// <summary>The end of the input: every open call ends, incomplete.</summary>
    public void Flush(IEventOutput output)
    {
        foreach (var socket in _order)
        {
            socket.Abandon(_ended);
            EmitEnded(socket.Target, output);
        }
        _sockets.Clear();
        _order.Clear();
    }

    private void GiveUp(ModelSocket socket, IEventOutput output)
    {
        _order.Remove(socket.Node!);
        socket.Abandon(_ended);
        EmitEnded(socket.Target, output);
    }

    private void EmitEnded(SocketTarget target, IEventOutput output)
    {
        foreach (var call in _ended)
        {
            emit(target, call, output);
        }
        _ended.Clear();
    }

    /// <summary>The message's type and, when a call needs more than its type, the message parsed.</summary>
    private static (string? Type, JsonObject? Json) Read(string? text)
    {
        if (text is null)
        {
            return (null, null);
        }
        if (PeekType(text) is { } peeked && !ReadWhole.Contains(peeked))
        {
            return (peeked, null);
        }
        var json = Json.Parse(text) as JsonObject;
        return (Json.Str(json, "type"), json);
    }

    /// <summary>The value of a leading <c>{"type":"…"</c>, or null when the message does not start so.</summary>
    private static string? PeekType(string text)
    {
        const string Start = "{\"type\":\"";
        if (!text.StartsWith(Start, StringComparison.Ordinal))
        {
            return null;
        }
        var end = text.IndexOf('"', Start.Length);
        return end > Start.Length && end - Start.Length <= 64 && text.IndexOf('\\', Start.Length, end - Start.Length) < 0 ? text[Start.Length..end] : null;
    }
}
