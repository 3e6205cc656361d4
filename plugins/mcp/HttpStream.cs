using AgentSight.Contracts;

namespace AgentSight.Plugins.Mcp;

/// <summary>
/// The streamed (<c>text/event-stream</c>) response body of one exchange, read for JSON-RPC messages as its pieces
/// come, and held until the exchange's <c>http</c> event says what the request was. The first event with data
/// decides: a stream whose first message is not JSON-RPC (a model's answer) is not read further.
/// </summary>
internal sealed class HttpStream(string exchangeId, int maxMessageBytes, McpCounters counters, Func<bool> mayHold) : IFramedMessageSink
{
    private readonly EventStreamReader _reader = new(maxMessageBytes);
    private long _timestamp;
    private long _offset;

    public string ExchangeId { get; } = exchangeId;

    /// <summary>Null until the first event with data; then whether the stream is JSON-RPC.</summary>
    public bool? IsJsonRpc { get; private set; }

    public List<JsonRpcMessage> Messages { get; } = [];

    public LinkedListNode<HttpStream>? Lru { get; set; }

    public void Feed(AgentEvent piece, long offset, ReadOnlySpan<byte> bytes)
    {
        if (IsJsonRpc == false)
        {
            return;
        }
        _timestamp = piece.Timestamp;
        if (offset >= 0 && offset != _offset)
        {
            counters.Gaps.Add();
            _reader.Discontinuity();
        }
        _offset = Math.Max(_offset, offset) + bytes.Length;
        _reader.Feed(bytes, this);
    }

    public void Finish()
    {
        if (IsJsonRpc != false)
        {
            _reader.Finish(this);
        }
    }

    void IFramedMessageSink.OnMessage(ReadOnlySpan<byte> message)
    {
        var messages = JsonRpcMessage.ParseAll(message);
        if (IsJsonRpc is null)
        {
            IsJsonRpc = messages.Count > 0;
            if (IsJsonRpc == false)
            {
                return;
            }
        }
        if (messages.Count == 0)
        {
            counters.Unreadable.Add();
        }
        foreach (var m in messages)
        {
            Hold(m);
        }
    }

    void IFramedMessageSink.OnCutMessage(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail)
    {
        if (IsJsonRpc == false)
        {
            return;
        }
        counters.TooLarge.Add();
        if (JsonRpcMessage.FromCut(head, tail) is { } cut)
        {
            IsJsonRpc = true;
            Hold(cut);
        }
        else
        {
            counters.Unreadable.Add();
        }
    }

    void IFramedMessageSink.OnSkippedLine()
    {
    }

    private void Hold(JsonRpcMessage message)
    {
        if (!mayHold())
        {
            counters.HeldDropped.Add();
            return;
        }
        message.Timestamp = _timestamp;
        Messages.Add(message);
    }
}
