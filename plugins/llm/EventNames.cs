namespace AgentSight.Plugins.Llm;

/// <summary>The <c>source</c> values this analyzer reads and writes.</summary>
internal static class EventNames
{
    public const string Http = "http";
    public const string Sse = "sse";
    public const string Llm = "llm";
    public const string WebSocket = "websocket";
}
