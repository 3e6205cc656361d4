namespace AgentSight.Plugins.Trace;

/// <summary>Calls that share a growing message history (or a conversation id), under one <c>invoke_agent</c> span.</summary>
internal sealed class Conversation
{
    public required AgentRun Run { get; init; }

    public required SpanRecord Span { get; init; }

    /// <summary>The agent process that made its first call.</summary>
    public required int Pid { get; init; }

    public required string Comm { get; init; }

    /// <summary>The conversation id the calls carried, or null when it was recognised by its history.</summary>
    public string? GivenId { get; init; }

    /// <summary>Hashes of the last call's system prompt and input messages: a later call whose input starts with them continues it.</summary>
    public ulong[] History { get; set; } = [];

    /// <summary>For a nested agent: the tool call whose process made it. It ends when that tool call does.</summary>
    public ToolCall? UnderTool { get; init; }

    /// <summary>Its calls not written yet (waiting for their tools); a written call is forgotten, so a long conversation holds little.</summary>
    public List<ChatCall> Pending { get; } = [];

    public Totals Totals { get; } = new();

    public bool Closed { get; set; }
}
