namespace AgentSight.Host.Capture.Network;

/// <summary>
/// Connection ids for TLS seen one direction at a time (AEAD contexts): both directions of a connection use one
/// socket, so the socket names the connection. A new ClientHello on a socket starts a new connection, even when the
/// file descriptor number is reused.
/// </summary>
/// <remarks>
/// The ids have the top bit set, so they never look like a library's object address:
/// <c>0x8000_0000_0000_0000 | pid &lt;&lt; 32 | generation &lt;&lt; 20 | fd</c>.
/// </remarks>
internal sealed class SocketConnections
{
    private readonly Dictionary<(uint Pid, int Fd), uint> _generations = [];

    /// <summary>A TLS connection starts on this socket.</summary>
    public void NewConnection(uint pid, int fd) => _generations[(pid, fd)] = _generations.TryGetValue((pid, fd), out var g) ? g + 1 : 0;

    /// <summary>The id of the connection now on this socket.</summary>
    public ulong Id(uint pid, int fd)
    {
        var generation = _generations.GetValueOrDefault((pid, fd));
        return (1UL << 63) | ((ulong)(pid & 0x7fffffff) << 32) | ((ulong)(generation & 0xfff) << 20) | (uint)(fd & 0xfffff);
    }
}
