using AgentSight.Contracts;

namespace AgentSight.Plugins.Http;

/// <summary>Configuration of the <c>http</c> analyzer. Every default is valid as is.</summary>
public sealed class HttpAnalyzerConfig : PluginConfig
{
    /// <summary>The smallest header cap accepted: a start line and a few headers.</summary>
    public const int MinHeaderBytes = 256;

    /// <summary>
    /// Which side of each connection the traced process is (<c>role</c>): <c>auto</c> (the default: the direction
    /// whose first message starts with a request line carries requests), <c>client</c> (writes are requests) or
    /// <c>server</c> (reads are requests).
    /// </summary>
    public HttpRole Role { get; set; } = HttpRole.Auto;

    /// <summary>
    /// Also pass on the raw <c>ssl</c> events whose bytes were parsed as HTTP (<c>keep_raw</c>); default false: the
    /// exchange holds all their bytes. Bytes that are not HTTP always stay <c>ssl</c> events.
    /// </summary>
    public bool KeepRaw { get; set; }

    /// <summary>Largest start line plus header block of one message, in bytes (<c>max_header_bytes</c>); default 65536.</summary>
    public int MaxHeaderBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Largest decoded body kept per message, in bytes (<c>max_body_bytes</c>); default 16 MiB. Beyond it the body is
    /// cut (<c>body_truncated</c>), its size still counted. Streamed bodies are not kept, so not cut.
    /// </summary>
    public long MaxBodyBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Largest number of bytes held for all connections together (header blocks and bodies in progress)
    /// (<c>max_buffered_bytes</c>); default 256 MiB. Beyond it the least recently active connections are evicted.
    /// </summary>
    public long MaxBufferedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Most connections tracked at once (<c>max_connections</c>); default 10000. The least recently active one is evicted.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Milliseconds without a byte after which a connection's unfinished messages are emitted with
    /// <c>end_reason: idle_timeout</c> (<c>idle_timeout_ms</c>); default 600000 (10 minutes, the SDKs' read timeout).
    /// Measured on the pipeline clock: event time during a replay.
    /// </summary>
    public long IdleTimeoutMs { get; set; } = 600_000;

    /// <summary>
    /// Media types of response bodies sent on piece by piece as <c>http_body</c> events instead of being kept
    /// (<c>streamed_content_types</c>); default <c>text/event-stream</c>, <c>application/x-ndjson</c>, <c>application/jsonl</c>.
    /// </summary>
    public List<string> StreamedContentTypes { get; set; } = ["text/event-stream", "application/x-ndjson", "application/jsonl"];

    /// <summary>Decode <c>gzip</c>, <c>deflate</c> and <c>br</c> bodies (<c>decode_content</c>); default true.</summary>
    public bool DecodeContent { get; set; } = true;

    /// <summary>The default of <see cref="MaxDecodedBytes"/>: 64 MiB.</summary>
    public const long DefaultMaxDecodedBytes = 64L * 1024 * 1024;

    /// <summary>The default of <see cref="MaxDecompressionRatio"/>: 400 decoded bytes per compressed byte.</summary>
    public const double DefaultMaxDecompressionRatio = 400;

    /// <summary>The smallest <see cref="MaxDecodedBytes"/> accepted.</summary>
    public const long MinDecodedBytes = 64 * 1024;

    /// <summary>
    /// Most bytes one compressed body is inflated to, streamed or not (<c>max_decoded_bytes</c>); default 64 MiB.
    /// Beyond it inflation stops: the body is cut (<c>body_truncated</c>) and counted (<c>decompression_capped</c>).
    /// A compressed body is small on the wire and can be huge decoded; streamed bodies are not kept, so
    /// <see cref="MaxBodyBytes"/> alone never bounded them.
    /// </summary>
    public long MaxDecodedBytes { get; set; } = DefaultMaxDecodedBytes;

    /// <summary>
    /// Most decoded bytes per compressed byte once a body has inflated past 1 MiB (<c>max_decompression_ratio</c>);
    /// default 400, 0 turns the guard off. Text and JSON compress 3–20:1 (a few hundred at the most repetitive); a
    /// decompression bomb reaches 1000:1 (gzip) and far more (br). Past it, as past <see cref="MaxDecodedBytes"/>.
    /// </summary>
    public double MaxDecompressionRatio { get; set; } = DefaultMaxDecompressionRatio;

    /// <summary>
    /// Parse HTTP/2 (<c>http2</c>): connections that start with its preface, switch to it (<c>Upgrade: h2c</c>), or
    /// carry its frames when first seen; default true. False leaves their bytes as <c>ssl</c> events.
    /// </summary>
    public bool Http2 { get; set; } = true;

    /// <summary>
    /// Most HTTP/2 streams tracked at once on one connection (<c>max_streams</c>); default 1000. Beyond it the least
    /// recently active stream is cut (<c>evicted</c>).
    /// </summary>
    public int MaxStreams { get; set; } = 1000;

    /// <summary>
    /// Parse WebSocket (<c>websocket</c>) after a <c>101</c> to <c>Upgrade: websocket</c>; default true. False leaves
    /// its frames as <c>ssl</c> events.
    /// </summary>
    public bool Websocket { get; set; } = true;

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (!Enum.IsDefined(Role))
        {
            yield return new ConfigError("role", $"must be auto, client or server (got {(int)Role})");
        }
        if (MaxHeaderBytes is < MinHeaderBytes or > 16 * 1024 * 1024)
        {
            yield return new ConfigError("max_header_bytes", $"must be between {MinHeaderBytes} and 16777216 (got {MaxHeaderBytes})");
        }
        if (MaxBodyBytes < 0)
        {
            yield return new ConfigError("max_body_bytes", $"must be 0 (keep no body) or more (got {MaxBodyBytes})");
        }
        if (MaxDecodedBytes < MinDecodedBytes)
        {
            yield return new ConfigError("max_decoded_bytes", $"must be at least {MinDecodedBytes} (got {MaxDecodedBytes})");
        }
        if (double.IsNaN(MaxDecompressionRatio) || (MaxDecompressionRatio != 0 && MaxDecompressionRatio < 10))
        {
            yield return new ConfigError("max_decompression_ratio", $"must be 0 (no ratio guard) or at least 10 (got {MaxDecompressionRatio})");
        }
        if (MaxBufferedBytes < MaxHeaderBytes)
        {
            yield return new ConfigError("max_buffered_bytes", $"must be at least max_header_bytes ({MaxHeaderBytes}) (got {MaxBufferedBytes})");
        }
        if (MaxConnections < 1)
        {
            yield return new ConfigError("max_connections", $"must be at least 1 (got {MaxConnections})");
        }
        if (MaxStreams < 1)
        {
            yield return new ConfigError("max_streams", $"must be at least 1 (got {MaxStreams})");
        }
        if (IdleTimeoutMs < 1)
        {
            yield return new ConfigError("idle_timeout_ms", $"must be at least 1 (got {IdleTimeoutMs})");
        }
        if (StreamedContentTypes is null)
        {
            yield return new ConfigError("streamed_content_types", "must be a list (it may be empty)");
        }
        else
        {
            foreach (var type in StreamedContentTypes)
            {
                if (string.IsNullOrWhiteSpace(type) || type.Contains(';', StringComparison.Ordinal) || !type.Contains('/', StringComparison.Ordinal))
                {
                    yield return new ConfigError("streamed_content_types", $"each entry must be a media type such as text/event-stream (got \"{type}\")");
                }
            }
        }
    }
}
