namespace AgentSight.Plugins.Mcp;

/// <summary>What a JSON-RPC 2.0 message is.</summary>
internal enum JsonRpcKind
{
    /// <summary>Has a method and an id: waits for a response.</summary>
    Request,

    /// <summary>Has a method and no id: nothing answers it.</summary>
    Notification,

    /// <summary>Has an id and a result or an error.</summary>
    Response,
}
