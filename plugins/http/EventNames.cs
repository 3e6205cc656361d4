namespace AgentSight.Plugins.Http;

/// <summary>The <c>source</c> values this analyzer reads and writes.</summary>
internal static class EventNames
{
    public const string Ssl = "ssl";
    public const string Process = "process";
    public const string Http = "http";
    public const string HttpBody = "http_body";
    public const string WebSocket = "websocket";
}
