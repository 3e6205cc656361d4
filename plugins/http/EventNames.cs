namespace AgentSight.Plugins.Http;

/// <summary>The <c>source</c> values this analyzer reads and writes.</summary>
internal static class EventNames
{
    public const string Ssl = "ssl";

    /// <summary>Plaintext socket bytes (contracts 1.5): the same payload as <see cref="Ssl"/>, read the same way.</summary>
    public const string Socket = "socket";
    public const string Process = "process";
    public const string Http = "http";
    public const string HttpBody = "http_body";
    public const string WebSocket = "websocket";
}
