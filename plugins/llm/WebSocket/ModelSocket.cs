namespace AgentSight.Plugins.Llm.WebSocket;

/// <summary>
/// A WebSocket connection carrying calls to a model: turns its messages into <see cref="SocketCall"/>s, one per
/// response. Responses on one connection are answered in the order they were asked (both APIs run one response at
/// a time per connection, or per conversation), so a server event belongs to the oldest call still open.
/// </summary>
internal abstract class ModelSocket(SocketTarget target)
{
    /// <summary>Most calls open at once on one connection; past it the oldest ends incomplete.</summary>
    public const int MaxOpenCalls = 64;

    private readonly List<SocketCall> _open = [];

    public SocketTarget Target { get; } = target;

    /// <summary>Its place in the analyzer's least-recently-used order.</summary>
    public LinkedListNode<ModelSocket>? Node { get; set; }

    /// <summary>Reads one message; calls it ended go into <paramref name="ended"/>.</summary>
    public abstract void OnMessage(in SocketMessage message, List<SocketCall> ended);

    /// <summary>The connection closed, was lost or is given up: every call still open ends, incomplete.</summary>
    public void Abandon(List<SocketCall> ended)
    {
        ended.AddRange(_open);
        _open.Clear();
    }

    protected void Open(SocketCall call, List<SocketCall> ended)
    {
        if (_open.Count >= MaxOpenCalls)
        {
            ended.Add(_open[0]);
            _open.RemoveAt(0);
        }
        _open.Add(call);
    }

    /// <summary>The oldest call the server has not begun answering, or null.</summary>
    protected SocketCall? Unstarted() => _open.Find(c => !c.Started);

    /// <summary>The call the server's events are about now: the oldest one it began answering, or null.</summary>
    protected SocketCall? Answering() => _open.Find(c => c.Started);

    /// <summary>The oldest open call, begun or not, or null.</summary>
    protected SocketCall? Oldest() => _open.Count > 0 ? _open[0] : null;

    protected void End(SocketCall call, List<SocketCall> ended, bool complete)
    {
        call.Complete = complete;
        _open.Remove(call);
        ended.Add(call);
    }

    /// <summary>Event types that carry a piece of the answer (text, audio, a transcript, reasoning, tool arguments).</summary>
    protected static bool IsContent(string type) =>
        type.EndsWith(".delta", StringComparison.Ordinal) && type.StartsWith("response.", StringComparison.Ordinal);
}
