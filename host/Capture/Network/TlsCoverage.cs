using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Bpf;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Capture.Network;

/// <summary>
/// Knows, for every TLS connection a traced process opens, whether a probe saw its plaintext, and says so when none
/// did: a warning naming the process, the binary and why, the <c>unseen_connections</c> counter, and a
/// <c>network</c> <c>TLS_UNSEEN</c> event in the session. It also turns connect() and ClientHello records into
/// <c>network</c> events.
/// </summary>
/// <remarks>
/// A connection is the ClientHello a process writes to a socket. It counts as seen when a plaintext record of that
/// process names the same socket after the hello, or names no socket at all (some libraries hide it). It is judged
/// only once application data flows (the socket carried more than a handshake's worth of bytes after the hello),
/// and a second after that, since a probe's record may follow the bytes it encrypted; a connection opened and never
/// used is not reported.
/// </remarks>
internal sealed class TlsCoverage
{
    /// <summary>How long after the data starts flowing a probe's plaintext may still arrive.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    private readonly BootClock _clock;
    private readonly Action<AgentEvent>? _emit;
    private readonly Func<int, string?, BlindSpot> _explain;
    private readonly ILogger _log;
    private readonly Counter _unseen;
    private readonly Counter _connections;
    private readonly Dictionary<(int Pid, int Fd), SocketAddress> _remotes = [];
    private readonly Dictionary<(int Pid, int Fd), TlsConnection> _open = [];
    private readonly Dictionary<int, ulong> _unattributed = [];
    private readonly Dictionary<int, string> _executables = [];
    private readonly HashSet<int> _warned = [];
    private readonly Dictionary<int, BlindSpot> _explained = [];

    /// <param name="clock">Converts the records' boot times to epoch times.</param>
    /// <param name="emit">Where <c>network</c> events go; null when the session has no network source.</param>
    /// <param name="explain">Why a process's TLS was not seen: (pid, its executable when known) → the reason.</param>
    public TlsCoverage(BootClock clock, Action<AgentEvent>? emit, Func<int, string?, BlindSpot> explain, ILogger log, Counter unseen, Counter connections)
    {
        _clock = clock;
        _emit = emit;
        _explain = explain;
        _log = log;
        _unseen = unseen;
        _connections = connections;
    }

    /// <summary>Connections reported as unseen so far.</summary>
    public long Unseen => _unseen.Value;

    /// <summary>A traced process ran <paramref name="path"/>.</summary>
    public void OnExec(int pid, string path) => _executables[pid] = path;

    /// <summary>A connect() returned.</summary>
    public void OnConnect(int pid, int tid, string comm, int fd, int result, SocketAddress? address, ulong bootNs)
    {
        if (address is not null && result is 0 or -115 /* EINPROGRESS */)
        {
            _remotes[(pid, fd)] = address;
        }
        if (_emit is null || address is null)
        {
            return;
        }
        var fields = new JsonObject
        {
            ["event"] = "CONNECT",
            ["fd"] = fd,
            ["family"] = address.Family,
        };
        if (address.Address is not null)
        {
            fields["address"] = address.Address;
            fields["port"] = address.Port;
        }
        if (address.Path is not null)
        {
            fields["path"] = address.Path;
        }
        if (result == 0)
        {
            fields["result"] = "ok";
        }
        else
        {
            fields["result"] = result == -115 ? "in_progress" : "error";
            fields["error"] = Errno.Name(-result);
        }
        _emit(new AgentEvent(_clock.ToEpoch(bootNs), EventSources.Network, pid, tid, comm, new JsonPayload(fields)));
    }

    /// <summary>A ClientHello was written to a socket: a TLS connection starts.</summary>
    public void OnHello(int pid, int tid, string comm, int fd, ReadOnlySpan<byte> hello, ulong bootNs)
    {
        var parsed = ClientHello.Parse(hello);
        _remotes.TryGetValue((pid, fd), out var remote);
        _open[(pid, fd)] = new TlsConnection(pid, tid, comm, fd, bootNs, parsed?.ServerName, remote);
        _connections.Add();
        if (!_explained.ContainsKey(pid))
        {
            // While the process is alive: once it has exited, what it mapped cannot be read any more.
            _explained[pid] = _explain(pid, _executables.GetValueOrDefault(pid));
        }
        if (_emit is null)
        {
            return;
        }
        var fields = new JsonObject { ["event"] = "TLS_HELLO", ["fd"] = fd };
        Describe(fields, parsed?.ServerName, remote);
        if (parsed is not null)
        {
            fields["alpn"] = new JsonArray([.. parsed.Protocols.Select(p => (JsonNode?)p)]);
            fields["tls13"] = parsed.OffersTls13;
        }
        _emit(new AgentEvent(_clock.ToEpoch(bootNs), EventSources.Network, pid, tid, comm, new JsonPayload(fields)));
    }

    /// <summary>The socket carried application data after its hello: the connection is judged after the grace period.</summary>
    public void OnData(int pid, int fd)
    {
        if (_open.TryGetValue((pid, fd), out var connection) && connection.DataSince is null)
        {
            connection.DataSince = Environment.TickCount64;
        }
    }

    /// <summary>A probe saw plaintext of process <paramref name="pid"/> on socket <paramref name="fd"/> (-1: unknown).</summary>
    public void OnPlaintext(int pid, int fd, ulong bootNs)
    {
        if (_open.Count == 0)
        {
            return;
        }
        if (fd < 0)
        {
            _unattributed[pid] = Math.Max(_unattributed.GetValueOrDefault(pid), bootNs);
            return;
        }
        if (_open.TryGetValue((pid, fd), out var connection) && bootNs >= connection.HelloNs)
        {
            connection.Seen = true;
        }
    }

    /// <summary>Judges the connections whose grace period is over (called on the reader's tick).</summary>
    public void Check(bool final = false)
    {
        if (_open.Count == 0)
        {
            return;
        }
        var now = Environment.TickCount64;
        List<(int, int)>? done = null;
        foreach (var (key, connection) in _open)
        {
            if (connection.Seen || (_unattributed.TryGetValue(key.Pid, out var last) && last >= connection.HelloNs))
            {
                (done ??= []).Add(key);
                continue;
            }
            if (connection.DataSince is { } since && (final || now - since >= Grace.TotalMilliseconds))
            {
                Report(connection);
                (done ??= []).Add(key);
            }
        }
        foreach (var key in done ?? [])
        {
            _open.Remove(key);
        }
    }

    /// <summary>A process ended: what it did not finish is judged now, and its state forgotten.</summary>
    public void OnExit(int pid)
    {
        foreach (var key in _open.Keys.Where(k => k.Pid == pid).ToList())
        {
            var connection = _open[key];
            if (!connection.Seen && connection.DataSince is not null && !(_unattributed.TryGetValue(pid, out var last) && last >= connection.HelloNs))
            {
                Report(connection);
            }
            _open.Remove(key);
        }
        _unattributed.Remove(pid);
        _executables.Remove(pid);
        _explained.Remove(pid);
        foreach (var key in _remotes.Keys.Where(k => k.Pid == pid).ToList())
        {
            _remotes.Remove(key);
        }
    }

    private void Report(TlsConnection connection)
    {
        _unseen.Add();
        var executable = _executables.GetValueOrDefault(connection.Pid);
        // Asked again while the process runs: discovery may have finished looking into its files since the hello.
        var blind = ProcessTable.Exists(connection.Pid) || !_explained.TryGetValue(connection.Pid, out var earlier)
            ? _explain(connection.Pid, executable)
            : earlier;
        var peer = connection.ServerName ?? connection.Remote?.ToString() ?? $"socket {connection.Fd}";
        if (_warned.Add(connection.Pid))
        {
            _log.LogWarning("TLS: process {Pid} ({Comm}) sent TLS to {Peer} and no probe saw the plaintext: {Reason}",
                connection.Pid, connection.Comm, peer, blind.Reason);
        }
        if (_emit is null)
        {
            return;
        }
        var fields = new JsonObject { ["event"] = "TLS_UNSEEN", ["fd"] = connection.Fd };
        Describe(fields, connection.ServerName, connection.Remote);
        fields["binary"] = blind.Binary;
        fields["program"] = blind.Program;
        fields["reason"] = blind.Reason;
        _emit(new AgentEvent(_clock.ToEpoch(connection.HelloNs), EventSources.Network, connection.Pid, connection.Tid, connection.Comm, new JsonPayload(fields)));
    }

    private static void Describe(JsonObject fields, string? serverName, SocketAddress? remote)
    {
        if (serverName is not null)
        {
            fields["server_name"] = serverName;
        }
        if (remote is not null)
        {
            fields["remote"] = remote.ToString();
        }
    }

    private sealed class TlsConnection(int pid, int tid, string comm, int fd, ulong helloNs, string? serverName, SocketAddress? remote)
    {
        public int Pid { get; } = pid;

        public int Tid { get; } = tid;

        public string Comm { get; } = comm;

        public int Fd { get; } = fd;

        public ulong HelloNs { get; } = helloNs;

        public string? ServerName { get; } = serverName;

        public SocketAddress? Remote { get; } = remote;

        public long? DataSince { get; set; }

        public bool Seen { get; set; }
    }
}

/// <summary>Why a process's TLS was not seen: its binary, what it is, and the reason in words.</summary>
internal sealed record BlindSpot(string? Binary, string? Program, string Reason);
