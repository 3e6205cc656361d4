namespace AgentSight.Contracts;

/// <summary>Which way plaintext went through the TLS library.</summary>
public enum TlsDirection
{
    /// <summary>Received: returned by SSL_read / SSL_read_ex (JSON <c>"READ/RECV"</c>).</summary>
    Read,

    /// <summary>Sent: passed to SSL_write / SSL_write_ex (JSON <c>"WRITE/SEND"</c>).</summary>
    Write,

    /// <summary>A completed handshake, no data (JSON <c>"HANDSHAKE"</c>).</summary>
    Handshake,
}
