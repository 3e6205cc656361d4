namespace AgentSight.Plugins.Common.Model;

/// <summary>
/// One connection of a process, from the <c>network</c> events that describe it: the connect() that opened the
/// socket, the ClientHello that started TLS on it, and the report that no probe saw its plaintext. Each part is
/// optional: a capture that began after the connect still shows the TLS connection.
/// </summary>
public sealed class NetworkConnection
{
    /// <summary>From 1, in the order connections were first seen.</summary>
    public required int Id { get; init; }

    /// <summary>The process instance (<see cref="ProcessInstance.Id"/>), 0 for none.</summary>
    public required int ProcessId { get; init; }

    public required int Pid { get; init; }

    public required string Comm { get; init; }

    /// <summary>The socket's file descriptor, when the events said it.</summary>
    public required long? Fd { get; init; }

    /// <summary>The sequence number of the first event about it.</summary>
    public required long FirstSeq { get; init; }

    /// <summary>When it was first seen (epoch ns).</summary>
    public required long StartNs { get; init; }

    /// <summary>When its last event happened (epoch ns).</summary>
    public long LastNs { get; set; }

    // connect()

    /// <summary>The <c>CONNECT</c> event, when seen.</summary>
    public long? ConnectSeq { get; set; }

    /// <summary><c>ipv4</c>, <c>ipv6</c> or <c>unix</c>.</summary>
    public string? Family { get; set; }

    public string? Address { get; set; }

    public long? Port { get; set; }

    /// <summary>A Unix socket's path (<c>@name</c> for an abstract one).</summary>
    public string? Path { get; set; }

    /// <summary><c>ok</c>, <c>in_progress</c> (a non-blocking connect) or <c>error</c>.</summary>
    public string? Result { get; set; }

    /// <summary>The errno name of a connect that did not succeed at once (<c>ECONNREFUSED</c>, <c>EINPROGRESS</c>).</summary>
    public string? Error { get; set; }

    // TLS

    /// <summary>The <c>TLS_HELLO</c> event, when seen.</summary>
    public long? HelloSeq { get; set; }

    /// <summary>The ClientHello's SNI.</summary>
    public string? ServerName { get; set; }

    /// <summary>The peer as the capture wrote it (<c>127.0.0.1:8443</c>), when it saw the connect.</summary>
    public string? Remote { get; set; }

    public IReadOnlyList<string>? Alpn { get; set; }

    /// <summary>True when the ClientHello offered TLS 1.3.</summary>
    public bool? Tls13 { get; set; }

    // TLS_UNSEEN

    /// <summary>The <c>TLS_UNSEEN</c> event, when the connection's plaintext was not seen.</summary>
    public long? UnseenSeq { get; set; }

    /// <summary>The executable whose TLS was not seen.</summary>
    public string? Binary { get; set; }

    /// <summary>What that executable is, when known (<c>Bun 1.4.6</c>).</summary>
    public string? Program { get; set; }

    /// <summary>Why no probe saw the plaintext, in words.</summary>
    public string? Reason { get; set; }

    /// <summary>True when connect() failed (not merely in progress).</summary>
    public bool Failed => Result == "error";

    /// <summary>True when the connection carried TLS: a ClientHello, or a report about its plaintext.</summary>
    public bool Tls => HelloSeq is not null || UnseenSeq is not null;

    /// <summary>True when the connection carried TLS whose plaintext no probe saw.</summary>
    public bool Unseen => UnseenSeq is not null;

    /// <summary>What connect() was given, as one string (<c>127.0.0.1:8443</c>, <c>[::1]:443</c>, a socket path).</summary>
    public string? Target => NetworkEvent.SocketText(Family, Address, Port, Path);

    /// <summary>
    /// The host the process talked to, as views group connections: the TLS server name, else the peer's address, else
    /// what connect() was given.
    /// </summary>
    public string Host => ServerName ?? Remote ?? Target ?? (Fd is { } fd ? $"socket {fd}" : "an unknown peer");
}
