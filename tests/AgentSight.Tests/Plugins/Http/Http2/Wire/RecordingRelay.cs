using System.Net;
using System.Net.Sockets;
using AgentSight.Contracts;
using TlsWire = AgentSight.Tests.Analyzers.Support.Wire;

namespace AgentSight.Tests.Analyzers.Http2.Wire;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of the server: every read from the client is a write of the traced process,
/// every read from the server one it reads, recorded in the order the relay saw them (a reply is recorded only
/// after the bytes that caused it were), each connection with its own id.
/// </summary>
internal sealed class RecordingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly Lock _gate = new();
    private readonly TlsWire _wire = new();
    private readonly List<Task> _pumps = [];
    private readonly Task _accepting;
    private ulong _connections = 0x2000;

    private RecordingRelay(int target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://127.0.0.1:{Port}";

    public static RecordingRelay Start(int target) => new(target);

    /// <summary>The recorded events, once every connection has closed both ways.</summary>
    public async Task<List<AgentEvent>> EventsAsync()
    {
        Task[] pumps;
        lock (_gate)
        {
            pumps = [.. _pumps];
        }
        await Task.WhenAll(pumps).WaitAsync(TimeSpan.FromSeconds(30));
        lock (_gate)
        {
            return [.. _wire.Events];
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            var client = await _listener.AcceptTcpClientAsync();
            var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, _target);
            lock (_gate)
            {
                var id = _connections++;
                _pumps.Add(RelayAsync(client, server, id));
            }
        }
    }

    private async Task RelayAsync(TcpClient client, TcpClient server, ulong connection)
    {
        using (client)
        using (server)
        {
            await Task.WhenAll(PumpAsync(client, server, TlsDirection.Write, connection), PumpAsync(server, client, TlsDirection.Read, connection));
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, TlsDirection direction, ulong connection)
    {
        var buffer = new byte[16384];
        var input = from.GetStream();
        var output = to.GetStream();
        try
        {
            int n;
            while ((n = await input.ReadAsync(buffer)) > 0)
            {
                lock (_gate)
                {
                    _wire.Add(direction, buffer[..n], connection);
                }
                await output.WriteAsync(buffer.AsMemory(0, n));
            }
            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // A peer that resets (a client exiting with a reply unread) ends the connection both ways, as it would
            // for the traced process; what was relayed until then stays recorded.
            Abort(from);
            Abort(to);
        }
    }

    private static void Abort(TcpClient peer)
    {
        try
        {
            peer.Client.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already reset or closed.
        }
    }
}
