namespace AgentSight.Plugins.Http;

/// <summary>Values of <c>end_reason</c> in <c>http</c> events.</summary>
internal static class EndReasons
{
    /// <summary>Both messages ended as their framing says.</summary>
    public const string ResponseEnd = "response_end";

    /// <summary>A new request came on the connection while the previous response had no end of its own (read until close).</summary>
    public const string ConnectionReused = "connection_reused";

    /// <summary>The connection was closed (a new TLS handshake on the same connection id) before the exchange ended.</summary>
    public const string ConnectionClosed = "connection_closed";

    /// <summary>No byte for <c>idle_timeout_ms</c>.</summary>
    public const string IdleTimeout = "idle_timeout";

    /// <summary>Evicted to stay under <c>max_connections</c> or <c>max_buffered_bytes</c>.</summary>
    public const string Evicted = "evicted";

    /// <summary>The pipeline stopped.</summary>
    public const string Shutdown = "shutdown";

    /// <summary>The response switched protocols (101, or a 2xx to CONNECT): HTTP parsing stops on the connection.</summary>
    public const string Upgrade = "upgrade";

    /// <summary>The process exited.</summary>
    public const string ProcessExit = "process_exit";

    /// <summary>The bytes stopped being valid HTTP/1.x (a broken chunk, an invalid Content-Length, an oversized head).</summary>
    public const string ProtocolError = "protocol_error";

    /// <summary>The capture lost bytes (a call larger than the capture's size cap) where the framing was.</summary>
    public const string CaptureGap = "capture_gap";

    /// <summary>HTTP/2: the stream was reset (RST_STREAM) before both messages ended.</summary>
    public const string StreamReset = "stream_reset";

    /// <summary>HTTP/2: a GOAWAY said the stream was never processed (its id is past the last one the peer took).</summary>
    public const string GoAway = "goaway";
}
