namespace AgentSight.Plugins.Otlp;

/// <summary>
/// The fields that carry message content: what an agent and a model said, tool arguments and results, bodies. Left
/// out of every export unless <c>capture_content</c> is on, as the OpenTelemetry GenAI conventions ask.
/// </summary>
internal static class ContentFields
{
    /// <summary>Attribute keys of <c>llm</c> events and <c>span</c> events that hold content.</summary>
    public static readonly HashSet<string> Attributes = new(StringComparer.Ordinal)
    {
        "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions", "gen_ai.tool.definitions",
        "gen_ai.tool.call.arguments", "gen_ai.tool.call.result", "gen_ai.prompt", "gen_ai.completion",
        "arguments", "result",
    };

    /// <summary>Top-level payload fields of other events that hold content (bytes, bodies, texts).</summary>
    public static readonly HashSet<string> PayloadFields = new(StringComparer.Ordinal)
    {
        "data", "text", "message", "events", "arguments", "result",
    };

    /// <summary>Fields inside an <c>http</c> event's <c>request</c> and <c>response</c> that hold content.</summary>
    public static readonly HashSet<string> HttpMessageFields = new(StringComparer.Ordinal) { "body" };
}
