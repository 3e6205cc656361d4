using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Trace;

/// <summary>A tool call a model returned, from the response that asked for it to the request that carried its result.</summary>
internal sealed class ToolCall
{
    public required ChatCall Call { get; init; }

    /// <summary>Its place among the response's tool calls (0 first): the order ambiguous cases are settled in.</summary>
    public required int Index { get; init; }

    /// <summary>The provider's id (<c>tool_use_id</c>, <c>call_id</c>); null for Gemini calls without one (matched by name).</summary>
    public string? Id { get; init; }

    public required string Name { get; init; }

    public JsonNode? Arguments { get; init; }

    /// <summary>The end of the response that asked for it.</summary>
    public required long OpenedNs { get; init; }

    public required SpanRecord Span { get; init; }

    /// <summary>Set once a later request carried the result.</summary>
    public bool Closed { get; set; }

    /// <summary>The string values of the arguments (what a command line or a path is compared with).</summary>
    public List<string> ArgumentStrings { get; } = [];
}
