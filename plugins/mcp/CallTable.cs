using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Mcp;

/// <summary>
/// Pairs requests with responses by id within one client/server pair: a request is keyed by its sender, its receiver
/// and its id, and a response from B to A with id N takes the request A sent B with id N. Two servers that both count
/// their ids from 0 never meet, since their pairs differ. Holds at most <see cref="McpAnalyzerConfig.MaxPending"/>
/// requests; emits one <c>mcp</c> event per call, notification, or request never answered.
/// </summary>
internal sealed class CallTable(McpAnalyzerConfig config, McpCounters counters, McpEventBuilder builder)
{
    private const int MaxConversations = 4096;

    private readonly Dictionary<string, PendingRequest> _pending = new(StringComparer.Ordinal);
    private readonly LinkedList<PendingRequest> _order = new();

    /// <summary>Keys of requests answered lately: the same request seen again (the other side of an exchange) is a duplicate.</summary>
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private readonly Queue<string> _answeredOrder = new();

    private readonly Dictionary<string, Conversation> _conversations = new(StringComparer.Ordinal);
    private readonly Queue<string> _conversationOrder = new();

    /// <summary>Requests waiting whose other end is unknown (a stdio stream whose peer the capture did not know).</summary>
    private int _unknownPending;

    /// <summary>Requests waiting now.</summary>
    public int PendingCount => _pending.Count;

    public void OnMessage(JsonRpcMessage message, MessageOrigin origin, IEventOutput output)
    {
        counters.Messages.Add();
        switch (message.Kind)
        {
            case JsonRpcKind.Request:
                OnRequest(message, origin, output);
                break;
            case JsonRpcKind.Notification:
                var (client, server) = Roles(message.Method, origin);
                Emit(builder.Notification(message, origin, client, server, ConversationOf(origin)), output);
                break;
            default:
                OnResponse(message, origin, output);
                break;
        }
    }

    /// <summary>Every request still waiting goes out unanswered (<c>complete: false</c>), oldest first.</summary>
    public void Flush(IEventOutput output)
    {
        while (_order.First is { } oldest)
        {
            GiveUp(oldest.Value, output);
        }
    }

    private void OnRequest(JsonRpcMessage request, MessageOrigin origin, IEventOutput output)
    {
        var key = Key(origin.Sender, origin.Receiver, request.IdKey!);
        if (_pending.ContainsKey(key) || _answered.Contains(key))
        {
            counters.Duplicates.Add();
            return;
        }
        if (request.Method == McpMethods.Initialize)
        {
            var conversation = ConversationOf(origin);
            conversation.Client = origin.Sender;
            conversation.ClientInfo = NameAndVersion(request.Params?["clientInfo"]);
            conversation.ProtocolVersion = Text(request.Params?["protocolVersion"]) ?? conversation.ProtocolVersion;
        }
        while (_pending.Count >= config.MaxPending && _order.First is { } oldest)
        {
            counters.PendingEvicted.Add();
            GiveUp(oldest.Value, output);
        }
        var pending = new PendingRequest(key, request, origin);
        pending.Node = _order.AddLast(pending);
        _pending[key] = pending;
        if (origin.Sender.IsUnknown || origin.Receiver.IsUnknown)
        {
            _unknownPending++;
        }
    }

    private void OnResponse(JsonRpcMessage response, MessageOrigin origin, IEventOutput output)
    {
        if (response.IdKey is null)
        {
            // An error about a request that could not be read (a parse error has no id): nothing to pair it with.
            counters.Unpaired.Add();
            return;
        }
        var key = Key(origin.Receiver, origin.Sender, response.IdKey);
        if (!_pending.TryGetValue(key, out var pending))
        {
            pending = origin.Sender.IsUnknown || origin.Receiver.IsUnknown || _unknownPending > 0 ? FindLoosely(response.IdKey, origin) : null;
            if (pending is null)
            {
                if (_answered.Contains(key))
                {
                    counters.Duplicates.Add();
                }
                else
                {
                    counters.Unpaired.Add();
                }
                return;
            }
        }
        Forget(pending);
        RememberAnswered(pending.Key);
        var request = pending.Request;
        // An end the request's capture did not know is the one the response came from (or went to).
        var asked = pending.Origin.Sender.IsUnknown || pending.Origin.Receiver.IsUnknown
            ? pending.Origin with
            {
                Sender = pending.Origin.Sender.IsUnknown ? origin.Receiver : pending.Origin.Sender,
                Receiver = pending.Origin.Receiver.IsUnknown ? origin.Sender : pending.Origin.Receiver,
            }
            : pending.Origin;
        // The pair's facts live under both ends once both are known, whatever the request's capture knew.
        var conversation = ConversationOf(asked);
        conversation.Adopt(ConversationOf(pending.Origin));
        if (request.Method == McpMethods.Initialize && response.Result is JsonObject result)
        {
            conversation.ServerInfo = NameAndVersion(result["serverInfo"]);
            conversation.ProtocolVersion = Text(result["protocolVersion"]) ?? conversation.ProtocolVersion;
        }
        var (client, server) = Roles(request.Method, asked);
        Emit(builder.Call(request, asked, response, origin, client, server, conversation), output);
    }

    /// <summary>The oldest waiting request with this id whose ends could be this response's, when one end is unknown.</summary>
    private PendingRequest? FindLoosely(string idKey, MessageOrigin origin)
    {
        for (var node = _order.First; node is not null; node = node.Next)
        {
            var p = node.Value;
            if (p.Request.IdKey == idKey && p.Origin.Sender.Matches(origin.Receiver) && p.Origin.Receiver.Matches(origin.Sender))
            {
                return p;
            }
        }
        return null;
    }

    private void GiveUp(PendingRequest pending, IEventOutput output)
    {
        Forget(pending);
        var (client, server) = Roles(pending.Request.Method, pending.Origin);
        Emit(builder.Call(pending.Request, pending.Origin, null, null, client, server, ConversationOf(pending.Origin)), output);
    }

    private void Forget(PendingRequest pending)
    {
        _pending.Remove(pending.Key);
        _order.Remove(pending.Node!);
        if (pending.Origin.Sender.IsUnknown || pending.Origin.Receiver.IsUnknown)
        {
            _unknownPending--;
        }
    }

    private void Emit(AgentEvent evt, IEventOutput output)
    {
        counters.Events.Add();
        var fields = evt.Fields!;
        if (fields["complete"] is JsonValue complete && !complete.GetValue<bool>())
        {
            counters.Unanswered.Add();
        }
        if (fields["is_error"] is JsonValue failed && failed.GetValue<bool>())
        {
            counters.Failed.Add();
        }
        output.Emit(evt);
    }

    /// <summary>Which end is the client: the one that sent <c>initialize</c> when it was seen, else by the method.</summary>
    private (Endpoint Client, Endpoint Server) Roles(string? method, MessageOrigin origin)
    {
        var known = ConversationOf(origin).Client;
        var fromClient = known is { } client ? client.Key == origin.Sender.Key : !McpMethods.IsServerSent(method);
        return fromClient ? (origin.Sender, origin.Receiver) : (origin.Receiver, origin.Sender);
    }

    private Conversation ConversationOf(MessageOrigin origin)
    {
        var (a, b) = (origin.Sender.Key, origin.Receiver.Key);
        var key = string.CompareOrdinal(a, b) <= 0 ? a + "|" + b : b + "|" + a;
        if (_conversations.TryGetValue(key, out var conversation))
        {
            return conversation;
        }
        while (_conversations.Count >= MaxConversations && _conversationOrder.TryDequeue(out var oldest))
        {
            _conversations.Remove(oldest);
        }
        conversation = new Conversation();
        _conversations[key] = conversation;
        _conversationOrder.Enqueue(key);
        return conversation;
    }

    private static string Key(Endpoint sender, Endpoint receiver, string idKey) => sender.Key + ">" + receiver.Key + "#" + idKey;

    private void RememberAnswered(string key)
    {
        if (_answered.Add(key))
        {
            _answeredOrder.Enqueue(key);
            while (_answeredOrder.Count > config.MaxPending && _answeredOrder.TryDequeue(out var oldest))
            {
                _answered.Remove(oldest);
            }
        }
    }

    private static JsonObject? NameAndVersion(JsonNode? info) =>
        info is JsonObject obj ? new JsonObject { ["name"] = Text(obj["name"]), ["version"] = Text(obj["version"]) } : null;

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue(out string? text) ? text : null;
}
