namespace AgentSight.Tests.Agents;

/// <summary>How <see cref="AgentEndpoint"/> lets agents reach it.</summary>
public enum EndpointTransport
{
    /// <summary>HTTP/1.1 only: ALPN offers <c>http/1.1</c> alone, and h2-capable clients fall back to it.</summary>
    Http1,

    /// <summary>HTTP/2 when the client offers <c>h2</c> in ALPN (Codex, Go's net/http, curl), else HTTP/1.1.</summary>
    Http2,

    /// <summary>
    /// HTTP/1.1, and the Responses API over WebSocket on <c>GET /v1/responses</c> (permessage-deflate when offered):
    /// agents are configured to use it where they can (Codex: <c>supports_websockets</c>).
    /// </summary>
    WebSocket,

    /// <summary>HTTP/1.1 without TLS, as a local model server (Ollama, vLLM, llama.cpp's server) speaks it.</summary>
    PlainHttp,
}
