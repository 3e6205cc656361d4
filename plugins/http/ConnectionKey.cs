namespace AgentSight.Plugins.Http;

/// <summary>
/// A TLS connection: the process and the library's connection object. Recordings without connection ids (the
/// original tool's) fall back to the thread, which is right for blocking clients and the best that can be done.
/// </summary>
internal readonly record struct ConnectionKey(int Pid, ulong ConnectionId, int Tid)
{
    public static ConnectionKey For(int pid, int tid, ulong connectionId) =>
        connectionId != 0 ? new ConnectionKey(pid, connectionId, 0) : new ConnectionKey(pid, 0, tid);

    /// <summary>The <c>conn_id</c> field: <c>0x…</c>, or <c>tid:N</c> for the fallback.</summary>
    public string Format() => ConnectionId != 0
        ? "0x" + ConnectionId.ToString("x", System.Globalization.CultureInfo.InvariantCulture)
        : "tid:" + Tid.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
