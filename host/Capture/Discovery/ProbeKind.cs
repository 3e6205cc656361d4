namespace AgentSight.Host.Capture.Discovery;

/// <summary>
/// What a probed function is, which decides the BPF programs attached to it (bpf/tls.bpf.c) and how its arguments
/// and result are read.
/// </summary>
internal enum ProbeKind
{
    /// <summary><c>int SSL_read(SSL*, void *buf, int num)</c>: bytes read returned.</summary>
    SslRead,

    /// <summary><c>int SSL_write(SSL*, const void *buf, int num)</c>.</summary>
    SslWrite,

    /// <summary><c>int SSL_read_ex(SSL*, void *buf, size_t num, size_t *readbytes)</c> and OpenSSL 3's <c>ssl_read_internal</c>.</summary>
    SslReadEx,

    /// <summary><c>int SSL_write_ex(SSL*, const void *buf, size_t num, size_t *written)</c>, and <c>ssl_write_internal</c> before OpenSSL 3.3.</summary>
    SslWriteEx,

    /// <summary>OpenSSL 3.3+'s <c>ssl_write_internal(SSL*, const void *buf, size_t num, uint64_t flags, size_t *written)</c>.</summary>
    SslWriteInternalFlags,

    /// <summary><c>int SSL_do_handshake(SSL*)</c>: 1 once the handshake is done.</summary>
    SslHandshake,

    /// <summary>aws-lc/BoringSSL <c>EVP_AEAD_CTX_seal</c>: one TLS record encrypted; the plaintext is an argument on the stack.</summary>
    AeadSeal,

    /// <summary><c>EVP_AEAD_CTX_seal_scatter</c>: the TLS 1.2 record path.</summary>
    AeadSealScatter,

    /// <summary><c>EVP_AEAD_CTX_open</c>: one TLS record decrypted; the plaintext is known at its return.</summary>
    AeadOpen,

    /// <summary>Go's <c>crypto/tls.(*Conn).Write</c> (register ABI): read at entry.</summary>
    GoWrite,

    /// <summary>Go's <c>crypto/tls.(*Conn).Read</c>: the buffer at entry, the count at each RET (no return probes on Go).</summary>
    GoRead,

    /// <summary><see cref="GoWrite"/> probed on the stack check's jump: a hit where the jump is taken is ignored.</summary>
    GoWriteAtStackCheck,

    /// <summary><see cref="GoRead"/> probed on the stack check's jump.</summary>
    GoReadAtStackCheck,
}
