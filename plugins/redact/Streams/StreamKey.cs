using AgentSight.Contracts;

namespace AgentSight.Plugins.Redact.Streams;

/// <summary>
/// One direction of one byte stream: a TLS connection's reads or writes (by process and connection; by thread when
/// the connection is unknown, as in the original tool's recordings), or one exchange's streamed body.
/// </summary>
internal readonly record struct StreamKey(string? Exchange, int Pid, ulong Connection, int Tid, TlsDirection Direction)
{
    public static StreamKey ForTls(AgentEvent evt, TlsPayload payload) =>
        new(null, evt.Pid, payload.ConnectionId, payload.ConnectionId == 0 ? evt.Tid : 0, payload.Direction);

    /// <summary>One direction of a pipe, tty or socket pair as one process sees it (its descriptor on the stream).</summary>
    public static StreamKey ForStdio(AgentEvent evt, StdioPayload payload) =>
        new("stdio", evt.Pid, payload.StreamId, payload.Fd, payload.Direction == IoDirection.Write ? TlsDirection.Write : TlsDirection.Read);

    public static StreamKey ForBody(string exchangeId) => new(exchangeId, 0, 0, 0, TlsDirection.Read);
}
