using AgentSight.Contracts;

namespace AgentSight.Plugins.Http;

/// <summary>The stage's counters, shown in the summary (names as in docs/ANALYZERS.md).</summary>
internal sealed class HttpCounters(IStageContext context)
{
    /// <summary><c>http</c> events emitted.</summary>
    public Counter Exchanges { get; } = context.Counter("exchanges");

    /// <summary>Of those, the ones cut before both messages ended.</summary>
    public Counter ExchangesIncomplete { get; } = context.Counter("exchanges_incomplete");

    /// <summary><c>http_body</c> events emitted.</summary>
    public Counter BodyPieces { get; } = context.Counter("body_pieces");

    /// <summary>Raw <c>ssl</c> events dropped because every byte of them is in an exchange.</summary>
    public Counter RawConsumed { get; } = context.Counter("raw_consumed");

    /// <summary>Raw <c>ssl</c> events passed on because (some of) their bytes are not HTTP.</summary>
    public Counter RawPassed { get; } = context.Counter("raw_passed");

    /// <summary>Bytes that were not HTTP/1.x (other protocols, upgraded connections, lost track).</summary>
    public Counter NonHttpBytes { get; } = context.Counter("non_http_bytes");

    /// <summary>Message starts that were not an HTTP/1.x start line.</summary>
    public Counter NotHttp { get; } = context.Counter("not_http");

    /// <summary>Times a direction found a start line again after losing track.</summary>
    public Counter Resyncs { get; } = context.Counter("resyncs");

    /// <summary>Heads larger than <c>max_header_bytes</c>.</summary>
    public Counter HeadersTooLarge { get; } = context.Counter("headers_too_large");

    /// <summary>Broken framing: invalid Content-Length, chunk syntax, request Transfer-Encoding.</summary>
    public Counter ProtocolErrors { get; } = context.Counter("protocol_errors");

    /// <summary>Header lines that were not fields, skipped.</summary>
    public Counter BadHeaderLines { get; } = context.Counter("bad_header_lines");

    /// <summary>1xx responses (100 Continue…) skipped while waiting for the final one.</summary>
    public Counter InterimResponses { get; } = context.Counter("interim_responses");

    /// <summary>Responses with no request seen.</summary>
    public Counter OrphanResponses { get; } = context.Counter("orphan_responses");

    /// <summary>Protocol switches (101, CONNECT): parsing stopped on those connections.</summary>
    public Counter Upgrades { get; } = context.Counter("upgrades");

    /// <summary>Bodies cut at <c>max_body_bytes</c> or by lost bytes.</summary>
    public Counter BodiesTruncated { get; } = context.Counter("bodies_truncated");

    /// <summary>Compressed bodies that turned out corrupt.</summary>
    public Counter DecodeErrors { get; } = context.Counter("decode_errors");

    /// <summary>Compressed bodies whose inflation stopped at <c>max_decoded_bytes</c> or <c>max_decompression_ratio</c> (cut).</summary>
    public Counter DecompressionCapped { get; } = context.Counter("decompression_capped");

    /// <summary>Bodies in an encoding not decoded here (zstd, compress…), kept as sent.</summary>
    public Counter UndecodedBodies { get; } = context.Counter("undecoded_bodies");

    /// <summary>Reads or writes whose bytes the capture did not get in full.</summary>
    public Counter CaptureGaps { get; } = context.Counter("capture_gaps");

    /// <summary>Connections evicted to stay under <c>max_connections</c> or <c>max_buffered_bytes</c>.</summary>
    public Counter ConnectionsEvicted { get; } = context.Counter("connections_evicted");

    /// <summary>Connections whose unfinished messages were cut by <c>idle_timeout_ms</c>.</summary>
    public Counter IdleTimeouts { get; } = context.Counter("idle_timeouts");
}
