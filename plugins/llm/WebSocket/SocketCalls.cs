using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.JsonNodes;

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

    /// <summary>The delta messages that make up most of a stream.</summary>
    private static readonly (byte[] Utf8, string Name)[] Common =
        [.. new[]
        {
            "response.output_text.delta", "response.audio.delta", "response.output_audio.delta",
            "response.audio_transcript.delta", "response.output_audio_transcript.delta", "response.function_call_arguments.delta",
            "response.reasoning_summary_text.delta", "response.content_part.added", "response.output_item.added",
            "response.in_progress", "input_audio_buffer.append",
        }.Select(name => (System.Text.Encoding.UTF8.GetBytes(name), name))];

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

    /// <summary>
    /// Reads a <c>websocket</c> event of a followed connection (others only pass) and passes it on, unless it was a
    /// text message read into a call and <c>keep_messages</c> is off.
    /// </summary>
    public void OnMessage(AgentEvent evt, WebSocketMessagePayload message, IEventOutput output)
    {
        if (!_sockets.TryGetValue(message.ExchangeId, out var socket))
        {
            output.Emit(evt);
            return;
        }
        _order.Remove(socket.Node!);
        _order.AddLast(socket.Node!);
        if (message.Opcode != "text" || config.KeepMessages)
        {
            output.Emit(evt);
        }
        if (message.Opcode == "close")
        {
            _sockets.Remove(message.ExchangeId);
            GiveUp(socket, output);
            return;
        }
        if (message.Opcode != "text")
        {
            return;
        }
        var (type, json) = message.HasText ? Read(message.Text.Span) : (null, null);
        if (type is null)
        {
            // What no call could read goes on as it came: it is in no llm event.
            if (message.HasText)
            {
                counters.SocketMessagesUnreadable.Add();
            }
            if (!config.KeepMessages)
            {
                output.Emit(evt);
            }
        }
        else
        {
            counters.SocketMessagesRead.Add();
        }
        socket.OnMessage(new SocketMessage(evt, message.FromClient, type, json, message.EndNs, message.Truncated || !message.HasText), _ended);
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
    private static (string? Type, JsonObject? Json) Read(ReadOnlySpan<byte> text)
    {
        if (PeekType(text) is { } peeked && !ReadWhole.Contains(peeked))
        {
            return (peeked, null);
        }
        var json = Json.Parse(text) as JsonObject;
        return (Json.Str(json, "type"), json);
    }

    /// <summary>The value of a leading <c>{"type":"…"</c>, or null when the message does not start so.</summary>
    private static string? PeekType(ReadOnlySpan<byte> text)
    {
        var start = "{\"type\":\""u8;
        if (!text.StartsWith(start))
        {
            return null;
        }
        var value = text[start.Length..];
        var end = value.IndexOf((byte)'"');
        return end > 0 && end <= 64 && value[..end].IndexOf((byte)'\\') < 0 ? TypeName(value[..end]) : null;
    }

    /// <summary>A type's name; the common ones without a new string each time.</summary>
    private static string TypeName(ReadOnlySpan<byte> utf8)
    {
        foreach (var known in Common)
        {
            if (utf8.SequenceEqual(known.Utf8))
            {
                return known.Name;
            }
        }
        return System.Text.Encoding.UTF8.GetString(utf8);
    }
}
