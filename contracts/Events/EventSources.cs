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

    /// <summary>The original tool's merged Server-Sent-Events record.</summary>
    public const string SseProcessor = "sse_processor";

    /// <summary>The original tool's one-read HTTP record.</summary>
    public const string HttpParser = "http_parser";
}
