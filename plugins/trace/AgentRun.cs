namespace AgentSight.Plugins.Trace;

/// <summary>One agent run: the topmost traced process of an agent's tree (the recorded command, the followed process).</summary>
internal sealed class AgentRun
{
    public required int RootPid { get; init; }

    public required SpanRecord Span { get; init; }

    public string TraceId => Span.TraceId;

    /// <summary>The pid and command name the run's span event carries: the first agent process that called a model.</summary>
    public required int AgentPid { get; init; }

    public required string AgentComm { get; init; }

    public List<Conversation> Conversations { get; } = [];

    public Totals Totals { get; } = new();

    /// <summary>The newest time seen in the run (its end when the root's exit is not seen).</summary>
    public long LastNs { get; set; }

    /// <summary>Conversations numbered so far (#1, #2… in their spans' names).</summary>
    public int ConversationCount { get; set; }

    /// <summary>When the root process exited: the run ends a little later (<see cref="TraceAnalyzer"/>), once calls still in the chain passed.</summary>
    public long? RootExitedNs { get; set; }

    public bool Closed { get; set; }

    /// <summary>Tool calls waiting for their result, oldest first.</summary>
    public List<ToolCall> OpenTools { get; } = [];
}
