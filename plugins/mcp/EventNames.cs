namespace AgentSight.Plugins.Mcp;

/// <summary>The <c>source</c> values this analyzer reads and writes.</summary>
internal static class EventNames
{
    public const string Stdio = "stdio";
    public const string Http = "http";
    public const string HttpBody = "http_body";
    public const string Mcp = "mcp";
}
