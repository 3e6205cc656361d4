using AgentSight.Contracts;

namespace AgentSight.Plugins.Llm;

/// <summary>The stage's counters, shown in the summary (names as in docs/ANALYZERS.md).</summary>
internal sealed class LlmCounters(IStageContext context)
{
    /// <summary><c>llm</c> events emitted.</summary>
    public Counter Calls { get; } = context.Counter("calls");

    /// <summary>Of those, calls whose request or response was not seen whole.</summary>
    public Counter CallsIncomplete { get; } = context.Counter("calls_incomplete");

    /// <summary>Of those, calls that ended in an error (HTTP or in the stream).</summary>
    public Counter CallsFailed { get; } = context.Counter("calls_failed");

    /// <summary>Streamed calls emitted without their <c>sse</c> event (hold timeout, <c>max_held</c>, shutdown).</summary>
    public Counter SseMissing { get; } = context.Counter("sse_missing");

    /// <summary><c>sse</c> events that came before their <c>http</c> event and went on alone.</summary>
    public Counter SseUnpaired { get; } = context.Counter("sse_unpaired");

    /// <summary>Requests to a model endpoint whose body was not JSON (cut, compressed with an unknown coding).</summary>
    public Counter UnreadableRequests { get; } = context.Counter("unreadable_requests");

    /// <summary>WebSocket connections followed as a model's (their upgrade went to a Responses or Realtime path).</summary>
    public Counter Sockets { get; } = context.Counter("websocket_connections");

    /// <summary>Of those, connections given up past <c>max_held</c> (their open calls ended incomplete).</summary>
    public Counter SocketsEvicted { get; } = context.Counter("websocket_connections_evicted");

    /// <summary>Text messages on those connections read into calls (and not passed on, unless <c>keep_messages</c>).</summary>
    public Counter SocketMessagesRead { get; } = context.Counter("websocket_messages_read");

    /// <summary>Text messages on those connections that were not a JSON event (cut, lost bytes, not JSON).</summary>
    public Counter SocketMessagesUnreadable { get; } = context.Counter("websocket_messages_unreadable");
}
