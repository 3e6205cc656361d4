using AgentSight.Contracts;

namespace AgentSight.Plugins.Http.WebSocket;

/// <summary>The stage's WebSocket counters (names as in docs/ANALYZERS.md).</summary>
internal sealed class WebSocketCounters(IStageContext context)
{
    /// <summary>Connections read as WebSocket after a <c>101</c> to <c>Upgrade: websocket</c>.</summary>
    public Counter Connections { get; } = context.Counter("websocket_connections");

    /// <summary><c>websocket</c> events emitted (data messages and control frames).</summary>
    public Counter Messages { get; } = context.Counter("websocket_messages");

    /// <summary>Messages over <c>max_body_bytes</c>: the rest of their bytes were counted and skipped.</summary>
    public Counter MessagesTruncated { get; } = context.Counter("websocket_messages_truncated");

    /// <summary>Frames that broke RFC 6455's rules, or bytes lost between frames: the direction stops being read.</summary>
    public Counter ProtocolErrors { get; } = context.Counter("websocket_protocol_errors");

    /// <summary>Compressed messages not inflated: corrupt, cut by lost bytes, past the decompression caps, or after such a message under context takeover.</summary>
    public Counter InflateFailures { get; } = context.Counter("websocket_inflate_failures");
}
