using AgentSight.Contracts;

namespace AgentSight.Plugins.Mcp;

/// <summary>One writer's bytes on one stdio stream, cut into messages, each handed to the call table with its origin.</summary>
internal sealed class StdioStream(StdioStreamKey key, IoDirection readFrom, int maxMessageBytes, McpCounters counters, Action<JsonRpcMessage, MessageOrigin> onMessage)
    : IFramedMessageSink
{
    private readonly MessageFramer _framer = new(maxMessageBytes);
    private MessageOrigin? _origin;
    private long _timestamp;

    public StdioStreamKey Key { get; } = key;

    /// <summary>The side whose events are read: writes when the writer is traced, else reads. The other side's are duplicates.</summary>
    public IoDirection ReadFrom { get; } = readFrom;

    public LinkedListNode<StdioStream>? Lru { get; set; }

    /// <summary>Between messages: forgetting the stream loses nothing.</summary>
    public bool IsIdle => _framer.IsIdle;

    public void Feed(AgentEvent evt, StdioPayload payload)
    {
        var written = payload.Direction == IoDirection.Write;
        var sender = written ? Endpoint.OfProcess(evt.Pid) : Endpoint.OfProcess(payload.PeerPid);
        var receiver = written ? Endpoint.OfProcess(payload.PeerPid) : Endpoint.OfProcess(evt.Pid);
        _origin = new MessageOrigin
        {
            Transport = "stdio",
            Sender = sender,
            Receiver = receiver,
            Pid = evt.Pid,
            Tid = evt.Tid,
            Comm = evt.Comm,
            StreamId = payload.StreamId == 0 ? null : payload.StreamId,
            StreamKind = payload.Kind,
        };
        _timestamp = evt.Timestamp;
        _framer.Feed(payload.Bytes.Span, this);
        if (payload.BytesLost > 0)
        {
            // The call's bytes past the capture's cap are lost: whatever message they belonged to cannot be read.
            counters.Gaps.Add();
            _framer.Discontinuity();
        }
    }

    public void Finish() => _framer.Finish(this);

    void IFramedMessageSink.OnMessage(ReadOnlySpan<byte> message)
    {
        var messages = JsonRpcMessage.ParseAll(message);
        if (messages.Count == 0)
        {
            counters.Unreadable.Add();
            return;
        }
        foreach (var m in messages)
        {
            m.Timestamp = _timestamp;
            onMessage(m, _origin!);
        }
    }

    void IFramedMessageSink.OnCutMessage(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail)
    {
        counters.TooLarge.Add();
        if (JsonRpcMessage.FromCut(head, tail) is { } cut)
        {
            cut.Timestamp = _timestamp;
            onMessage(cut, _origin!);
        }
        else
        {
            counters.Unreadable.Add();
        }
    }

    void IFramedMessageSink.OnSkippedLine() => counters.LinesSkipped.Add();
}
