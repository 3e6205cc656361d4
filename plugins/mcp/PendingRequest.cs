namespace AgentSight.Plugins.Mcp;

/// <summary>A request waiting for its response.</summary>
internal sealed class PendingRequest(string key, JsonRpcMessage request, MessageOrigin origin)
{
    /// <summary>Sender, receiver and id: unique while it waits.</summary>
    public string Key { get; } = key;

    public JsonRpcMessage Request { get; } = request;

    public MessageOrigin Origin { get; } = origin;

    public LinkedListNode<PendingRequest>? Node { get; set; }
}
