namespace AgentSight.Plugins.Trace;

/// <summary>One call to a model (an <c>llm</c> event) in the trace.</summary>
internal sealed class ChatCall
{
    public required string Key { get; init; }

    public required int Pid { get; init; }

    public required string Comm { get; init; }

    public required long StartNs { get; init; }

    public required long EndNs { get; init; }

    public required SpanRecord Span { get; init; }

    public required Conversation Conversation { get; init; }

    public List<ToolCall> Tools { get; } = [];

    public bool Emitted { get; set; }
}
