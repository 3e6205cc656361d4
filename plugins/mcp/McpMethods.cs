namespace AgentSight.Plugins.Mcp;

/// <summary>Which side sends a method, for conversations whose <c>initialize</c> was not seen.</summary>
internal static class McpMethods
{
    public const string Initialize = "initialize";
    public const string ToolsCall = "tools/call";
    public const string PromptsGet = "prompts/get";

    /// <summary>Requests and notifications only a server sends (everything else is taken as the client's).</summary>
    private static readonly HashSet<string> ServerSent = new(StringComparer.Ordinal)
    {
        "sampling/createMessage", "elicitation/create", "roots/list",
        "notifications/message", "notifications/resources/updated", "notifications/resources/list_changed",
        "notifications/tools/list_changed", "notifications/prompts/list_changed", "notifications/elicitation/complete",
    };

    public static bool IsServerSent(string? method) => method is not null && ServerSent.Contains(method);
}
