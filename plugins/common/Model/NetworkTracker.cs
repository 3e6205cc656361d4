namespace AgentSight.Plugins.Common.Model;

/// <summary>Joins a session's <c>network</c> events into connections: a connect, its TLS hello, and its unseen report.</summary>
/// <remarks>
/// <para>A connection is a process's socket (process instance and fd) from one connect() on. A <c>TLS_HELLO</c>
/// joins the newest connection on its socket when that one has no hello yet and goes to the same peer; otherwise it
/// starts one (the connect happened before the capture, or a second TLS session runs on the socket).</para>
/// <para>A <c>TLS_UNSEEN</c> comes a second or more after its hello, and carries the hello's time, server name and
/// peer: it joins the newest connection of the process on that socket with a hello to the same peer that was not
/// reported yet, so a socket number reused meanwhile does not take the report.</para>
/// <para>Not thread-safe: one caller at a time.</para>
/// </remarks>
public sealed class NetworkTracker
{
    private readonly List<NetworkConnection> _all = [];
    private readonly Dictionary<int, List<NetworkConnection>> _byProcess = [];
    private readonly Dictionary<(int ProcessId, long Fd), NetworkConnection> _latest = [];

    /// <summary>Every connection, in the order first seen.</summary>
    public IReadOnlyList<NetworkConnection> All => _all;

    /// <summary>The connections of one process instance, in order.</summary>
    public IReadOnlyList<NetworkConnection> Of(int processId) => _byProcess.TryGetValue(processId, out var list) ? list : [];

    /// <summary>Applies one event; returns the connection it started or updated, null for a kind that names none.</summary>
    /// <param name="evt">The event, read.</param>
    /// <param name="processId">Its process instance (0 for none).</param>
    /// <param name="seq">Its sequence number in the session.</param>
    public NetworkConnection? Apply(NetworkEvent evt, int processId, long seq)
    {
        NetworkConnection connection;
        switch (evt.Kind)
        {
            case NetworkEventKind.Connect:
                connection = Start(evt, processId, seq);
                connection.ConnectSeq = seq;
                connection.Family = evt.Family;
                connection.Address = evt.Address;
                connection.Port = evt.Port;
                connection.Path = evt.Path;
                connection.Result = evt.Result;
                connection.Error = evt.Error;
                break;
            case NetworkEventKind.TlsHello:
                connection = Latest(processId, evt.Fd) is { HelloSeq: null, UnseenSeq: null } open && SamePeer(open, evt)
                    ? open
                    : Start(evt, processId, seq);
                connection.HelloSeq = seq;
                connection.ServerName = evt.ServerName;
                connection.Remote = evt.Remote ?? connection.Remote;
                connection.Alpn = evt.Alpn;
                connection.Tls13 = evt.Tls13;
                break;
            case NetworkEventKind.TlsUnseen:
                connection = Reported(processId, evt) ?? Start(evt, processId, seq);
                connection.UnseenSeq = seq;
                connection.ServerName ??= evt.ServerName;
                connection.Remote ??= evt.Remote;
                connection.Binary = evt.Binary;
                connection.Program = evt.Program;
                connection.Reason = evt.Reason;
                break;
            default:
                return null;
        }
        connection.LastNs = Math.Max(connection.LastNs, evt.Timestamp);
        return connection;
    }

    private NetworkConnection Start(NetworkEvent evt, int processId, long seq)
    {
        var connection = new NetworkConnection
        {
            Id = _all.Count + 1,
            ProcessId = processId,
            Pid = evt.Pid,
            Comm = evt.Comm,
            Fd = evt.Fd,
            FirstSeq = seq,
            StartNs = evt.Timestamp,
            LastNs = evt.Timestamp,
        };
        _all.Add(connection);
        if (!_byProcess.TryGetValue(processId, out var list))
        {
            list = [];
            _byProcess.Add(processId, list);
        }
        list.Add(connection);
        // A report is about a connection already started: it never becomes the socket's newest.
        if (evt.Fd is { } fd && evt.Kind != NetworkEventKind.TlsUnseen)
        {
            _latest[(processId, fd)] = connection;
        }
        return connection;
    }

    private NetworkConnection? Latest(int processId, long? fd) =>
        fd is { } f && _latest.TryGetValue((processId, f), out var connection) ? connection : null;

    /// <summary>The connection a <c>TLS_UNSEEN</c> is about: the newest on its socket, to its peer, with a hello and no report.</summary>
    private NetworkConnection? Reported(int processId, NetworkEvent evt)
    {
        if (!_byProcess.TryGetValue(processId, out var list))
        {
            return null;
        }
        NetworkConnection? connectOnly = null;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            var c = list[i];
            if (c.Fd != evt.Fd || c.UnseenSeq is not null || !SamePeer(c, evt)
                || (c.ServerName is not null && evt.ServerName is not null && c.ServerName != evt.ServerName))
            {
                continue;
            }
            if (c.HelloSeq is not null)
            {
                return c;
            }
            // A hello the session lacks (filtered out, or lost): the connect on that socket is the connection.
            connectOnly ??= c;
        }
        return connectOnly;
    }

    /// <summary>False only when both sides name the peer and the names differ.</summary>
    private static bool SamePeer(NetworkConnection connection, NetworkEvent evt)
    {
        var known = connection.Remote ?? connection.Target;
        return known is null || evt.Remote is null || known == evt.Remote;
    }
}
