namespace AgentSight.Plugins.Trace;

/// <summary>The <c>operation</c> of a span event (docs/EVENTS.md, "span").</summary>
internal static class SpanOperation
{
    public const string InvokeAgent = "invoke_agent";
    public const string Chat = "chat";
    public const string ExecuteTool = "execute_tool";
    public const string Process = "process";
    public const string File = "file";
    public const string Mcp = "mcp";
}
