using AgentSight.Contracts;

namespace AgentSight.Plugins.Http.Http2;

/// <summary>The stage's HTTP/2 counters (names as in docs/ANALYZERS.md); the rest are shared with HTTP/1 (<see cref="HttpCounters"/>).</summary>
internal sealed class Http2Counters(IStageContext context)
{
    /// <summary>Connections parsed as HTTP/2: from the preface, an <c>Upgrade: h2c</c>, or frames found mid-connection.</summary>
    public Counter Connections { get; } = context.Counter("http2_connections");

    /// <summary>Of those, the ones first seen in their middle (no preface): their HPACK tables start unknown.</summary>
    public Counter Joined { get; } = context.Counter("http2_joined");

    /// <summary>Streams seen.</summary>
    public Counter Streams { get; } = context.Counter("http2_streams");

    /// <summary>Header fields not decoded: they named a table entry made before the capture saw the connection.</summary>
    public Counter HeadersMissed { get; } = context.Counter("headers_missed");

    /// <summary>Messages whose header block was not seen (only their DATA frames were).</summary>
    public Counter HeadsMissed { get; } = context.Counter("heads_missed");

    /// <summary>Header blocks that were not valid HPACK; the direction's table is unknown after one.</summary>
    public Counter HpackErrors { get; } = context.Counter("hpack_errors");

    /// <summary>Streams reset (RST_STREAM) before both messages ended.</summary>
    public Counter StreamsReset { get; } = context.Counter("streams_reset");

    /// <summary>Streams cut because a connection had <c>max_streams</c> open.</summary>
    public Counter StreamsEvicted { get; } = context.Counter("streams_evicted");

    /// <summary>Streams made by frames read past a guessed boundary that proved wrong: dropped, never emitted.</summary>
    public Counter GuessesDropped { get; } = context.Counter("http2_guesses_dropped");

    /// <summary>Trailer blocks (header blocks after a body), decoded for the table and dropped.</summary>
    public Counter Trailers { get; } = context.Counter("trailers");
}
