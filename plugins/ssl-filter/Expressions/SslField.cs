namespace AgentSight.Plugins.SslFilter.Expressions;

/// <summary>The fields an expression can test.</summary>
public enum SslField
{
    /// <summary><c>data</c>: the captured bytes.</summary>
    Data,

    /// <summary><c>data.type</c>: <c>text</c> or <c>binary</c>, as the event's JSON shows it.</summary>
    DataType,

    /// <summary><c>function</c>: READ/RECV, WRITE/SEND or HANDSHAKE.</summary>
    Function,

    /// <summary><c>comm</c>: the process name.</summary>
    Comm,

    /// <summary><c>is_handshake</c>.</summary>
    IsHandshake,

    /// <summary><c>truncated</c>: the capture was cut at the size cap.</summary>
    Truncated,

    /// <summary><c>len</c>: the call's return value.</summary>
    Length,

    /// <summary><c>pid</c>.</summary>
    Pid,

    /// <summary><c>tid</c>.</summary>
    Tid,

    /// <summary><c>uid</c>.</summary>
    Uid,

    /// <summary><c>timestamp_ns</c>: the event's timestamp (epoch nanoseconds in our events).</summary>
    TimestampNs,

    /// <summary><c>latency_ms</c>.</summary>
    LatencyMs,

    /// <summary><c>bytes_lost</c> (an addition).</summary>
    BytesLost,

    /// <summary><c>conn_id</c> (an addition): the connection as JSON shows it, <c>0x…</c>.</summary>
    ConnectionId,

    /// <summary><c>lib</c> (an addition): the TLS library the probe was on.</summary>
    Library,
}
