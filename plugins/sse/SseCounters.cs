using AgentSight.Contracts;

namespace AgentSight.Plugins.Sse;

/// <summary>The stage's counters, shown in the summary (names as in docs/ANALYZERS.md).</summary>
internal sealed class SseCounters(IStageContext context)
{
    /// <summary><c>sse</c> events emitted.</summary>
    public Counter Streams { get; } = context.Counter("streams");

    /// <summary>Of those, the ones not seen whole.</summary>
    public Counter StreamsIncomplete { get; } = context.Counter("streams_incomplete");

    /// <summary><c>http_body</c> pieces read into a stream (and dropped, unless <c>keep_chunks</c>).</summary>
    public Counter ChunksConsumed { get; } = context.Counter("chunks_consumed");

    /// <summary>Pieces of evicted streams, dropped.</summary>
    public Counter ChunksDropped { get; } = context.Counter("chunks_dropped");

    /// <summary>Events parsed.</summary>
    public Counter Events { get; } = context.Counter("events");

    /// <summary>Events not kept in <c>events</c> (caps).</summary>
    public Counter EventsDropped { get; } = context.Counter("events_dropped");

    /// <summary>Events after the provider's end marker.</summary>
    public Counter EventsAfterEnd { get; } = context.Counter("events_after_end");

    /// <summary>Event data that looked like JSON and was not.</summary>
    public Counter InvalidJson { get; } = context.Counter("invalid_json");

    /// <summary>Comment (keep-alive) lines.</summary>
    public Counter Comments { get; } = context.Counter("comments");

    /// <summary>Lines or event data cut at <c>max_line_bytes</c>.</summary>
    public Counter LinesCut { get; } = context.Counter("lines_cut");

    /// <summary>Streams whose accumulated content outgrew <c>max_stream_bytes</c> and was cut.</summary>
    public Counter ContentTruncated { get; } = context.Counter("content_truncated");

    /// <summary>Streams evicted to stay under <c>max_streams</c> or <c>max_total_bytes</c>.</summary>
    public Counter StreamsEvicted { get; } = context.Counter("streams_evicted");

    /// <summary>Streams emitted by <c>idle_timeout_ms</c> before their exchange ended.</summary>
    public Counter IdleTimeouts { get; } = context.Counter("idle_timeouts");

    /// <summary>Pieces whose offset showed missing or repeated bytes.</summary>
    public Counter Gaps { get; } = context.Counter("gaps");
}
