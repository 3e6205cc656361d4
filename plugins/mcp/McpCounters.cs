using AgentSight.Contracts;

namespace AgentSight.Plugins.Mcp;

/// <summary>The stage's counters, shown in the summary (names as in docs/ANALYZERS.md).</summary>
internal sealed class McpCounters(IStageContext context)
{
    /// <summary><c>mcp</c> events emitted: calls and notifications.</summary>
    public Counter Events { get; } = context.Counter("events");

    /// <summary>Requests emitted without their response (never answered, evicted, or the response was unreadable).</summary>
    public Counter Unanswered { get; } = context.Counter("calls_unanswered");

    /// <summary>Calls answered with a JSON-RPC error or a tool result flagged <c>isError</c>.</summary>
    public Counter Failed { get; } = context.Counter("calls_failed");

    /// <summary>JSON-RPC messages read.</summary>
    public Counter Messages { get; } = context.Counter("messages");

    /// <summary>Framed messages that were not JSON-RPC 2.0 (invalid JSON, no <c>jsonrpc</c>, cut by the capture).</summary>
    public Counter Unreadable { get; } = context.Counter("messages_unreadable");

    /// <summary>Messages longer than <c>max_message_bytes</c>: paired by id, content left out.</summary>
    public Counter TooLarge { get; } = context.Counter("messages_too_large");

    /// <summary>Lines of stdio streams that were not JSON (a server's log on stdout, a build's output).</summary>
    public Counter LinesSkipped { get; } = context.Counter("lines_not_json");

    /// <summary>Responses with no request waiting for them (the capture began after it, or it was evicted).</summary>
    public Counter Unpaired { get; } = context.Counter("responses_unpaired");

    /// <summary>
    /// Messages seen twice and read once: the reads of a stream whose writes were read, and the second side of an
    /// HTTP exchange when both client and server are traced.
    /// </summary>
    public Counter Duplicates { get; } = context.Counter("duplicates_ignored");

    /// <summary>Requests emitted unanswered to stay under <c>max_pending</c>.</summary>
    public Counter PendingEvicted { get; } = context.Counter("pending_evicted");

    /// <summary>Streams given up in the middle of a message to stay under <c>max_streams</c> (that message dropped).</summary>
    public Counter StreamsEvicted { get; } = context.Counter("streams_evicted");

    /// <summary>Streamed HTTP messages dropped over <c>max_held_messages</c>.</summary>
    public Counter HeldDropped { get; } = context.Counter("messages_dropped");

    /// <summary>Stdio writes or reads whose bytes the capture cut: the message they were part of is dropped.</summary>
    public Counter Gaps { get; } = context.Counter("gaps");
}
