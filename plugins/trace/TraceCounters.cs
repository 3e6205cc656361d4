using AgentSight.Contracts;

namespace AgentSight.Plugins.Trace;

/// <summary>The stage's counters, shown in the summary (names as in docs/ANALYZERS.md).</summary>
internal sealed class TraceCounters(IStageContext context)
{
    /// <summary><c>span</c> events written.</summary>
    public Counter Spans { get; } = context.Counter("spans");

    public Counter Runs { get; } = context.Counter("runs");

    public Counter Conversations { get; } = context.Counter("conversations");

    public Counter Chats { get; } = context.Counter("chats");

    public Counter Tools { get; } = context.Counter("tool_calls");

    /// <summary>Tool calls that ended without their result being seen (end of input, the run's end, a bound).</summary>
    public Counter ToolsUnanswered { get; } = context.Counter("tool_calls_unanswered");

    /// <summary>Tool results in a request whose call was never seen (the capture began after it).</summary>
    public Counter ResultsUnmatched { get; } = context.Counter("tool_results_unmatched");

    public Counter Processes { get; } = context.Counter("process_spans");

    public Counter Files { get; } = context.Counter("file_spans");

    public Counter McpCalls { get; } = context.Counter("mcp_spans");

    public Counter RunsEvicted { get; } = context.Counter("runs_evicted");

    public Counter ConversationsEvicted { get; } = context.Counter("conversations_evicted");

    public Counter ToolsEvicted { get; } = context.Counter("tools_evicted");

    /// <summary>Processes forgotten past <c>max_processes</c> before their span was written.</summary>
    public Counter ProcessesEvicted { get; } = context.Counter("processes_evicted");

    /// <summary>File opens not kept past <c>max_files_per_process</c>.</summary>
    public Counter FilesDropped { get; } = context.Counter("files_dropped");

    /// <summary>Processes that started under a tool after its span was written (a tool's background work): in no span.</summary>
    public Counter ProcessesLate { get; } = context.Counter("processes_after_tool");
}
