namespace AgentSight.Contracts;

/// <summary>Well-known values of <see cref="AgentEvent.Source"/>.</summary>
public static class EventSources
{
    /// <summary>Plaintext read or written through a TLS library (payload: <see cref="TlsPayload"/>).</summary>
    public const string Ssl = "ssl";

    /// <summary>Process activity: exec, fork, exit, file opens.</summary>
    public const string Process = "process";

    /// <summary>
    /// Network activity of traced processes (contracts 1.3): <c>CONNECT</c>, <c>TLS_HELLO</c> (a TLS connection starts:
    /// server name, ALPN), and <c>TLS_UNSEEN</c> (a TLS connection whose plaintext no probe saw, and why).
    /// </summary>
    public const string Network = "network";

    /// <summary>A piece of a streamed HTTP response body (payload: <see cref="HttpBodyPayload"/>).</summary>
    public const string HttpBody = "http_body";

    /// <summary>One HTTP request and its response.</summary>
    public const string Http = "http";

    /// <summary>One rebuilt Server-Sent-Events (or NDJSON) stream.</summary>
    public const string Sse = "sse";

    /// <summary>One call to a language model.</summary>
    public const string Llm = "llm";

    /// <summary>
    /// Plaintext read or written on a socket that carries no TLS (contracts 1.5; payload: <see cref="TlsPayload"/> with
    /// <see cref="TlsPayload.Library"/> <c>socket</c>), so the http analyzer reads it as it reads <c>ssl</c> events.
    /// </summary>
    public const string Socket = "socket";

    /// <summary>Bytes written or read on a pipe, tty or socket pair between processes (contracts 1.5; payload: <see cref="StdioPayload"/>).</summary>
    public const string Stdio = "stdio";

    /// <summary>One message of a WebSocket (contracts 1.5; payload: <see cref="WebSocketMessagePayload"/>).</summary>
    public const string WebSocket = "websocket";

    /// <summary>One MCP (JSON-RPC 2.0) request with its response, or a notification (contracts 1.5).</summary>
    public const string Mcp = "mcp";

    /// <summary>One span of an agent's causal trace: agent run, chat, tool call (contracts 1.5).</summary>
    public const string Span = "span";

    /// <summary>The original tool's merged Server-Sent-Events record.</summary>
    public const string SseProcessor = "sse_processor";

    /// <summary>The original tool's one-read HTTP record.</summary>
    public const string HttpParser = "http_parser";
}
