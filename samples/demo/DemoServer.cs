using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AgentSight.Traffic;
using Microsoft.Extensions.Logging;

namespace AgentSight.Demo;

/// <summary>
/// A local HTTPS endpoint that answers like an LLM API (Anthropic Messages, OpenAI Chat Completions), streaming its
/// answers in chunks a few milliseconds apart, as real APIs do. Loopback only, a random free port, HTTP/1.1.
/// </summary>
/// <remarks>
/// The host process is never in the traced set, so the server's own TLS calls (.NET uses the system libssl) are
/// filtered out in the kernel: the session shows the agent's side only.
/// </remarks>
internal sealed class DemoServer : IAsyncDisposable
{
    private const int MaxHead = 64 * 1024;
    private const int MaxBody = 8 * 1024 * 1024;
    private static readonly TimeSpan MaxGap = TimeSpan.FromMilliseconds(40);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly SyntheticRandom _random = new((ulong)Environment.TickCount64);
    private readonly Lock _randomGate = new();
    private Task? _accepting;
    private int _served;

    public DemoServer(X509Certificate2 certificate, ILogger log)
    {
        _certificate = certificate;
        _log = log;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Requests answered so far.</summary>
    public int Served => Volatile.Read(ref _served);

    public void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken stop)
    {
        var connections = new List<Task>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(stop);
                connections.Add(ServeAsync(client, stop));
                connections.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
        await Task.WhenAll(connections).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stop)
    {
        using var _ = client;
        client.NoDelay = true;
        try
        {
            await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, stop);
            var buffer = new List<byte>();
            while (!stop.IsCancellationRequested)
            {
                var request = await ReadRequestAsync(tls, buffer, stop);
                if (request is null)
                {
                    return;
                }
                await RespondAsync(tls, request.Value.Path, request.Value.Body, stop);
                Interlocked.Increment(ref _served);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or InvalidDataException)
        {
            _log.LogDebug("Demo endpoint: connection ended: {Reason}", ex.Message);
        }
    }

    private static async Task<(string Path, byte[] Body)?> ReadRequestAsync(Stream stream, List<byte> buffer, CancellationToken stop)
    {
        var chunk = new byte[16 * 1024];
        int headEnd;
        while ((headEnd = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
        {
            if (buffer.Count > MaxHead)
            {
                throw new InvalidDataException("request head too large");
            }
            var read = await stream.ReadAsync(chunk, stop);
            if (read == 0)
            {
                return null;
            }
            buffer.AddRange(chunk.AsSpan(0, read));
        }
        var head = Encoding.ASCII.GetString([.. buffer.GetRange(0, headEnd)]);
        buffer.RemoveRange(0, headEnd + 4);
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length < 2)
        {
            throw new InvalidDataException("bad request line");
        }
        var length = 0;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("content-length", StringComparison.OrdinalIgnoreCase)
                && (!int.TryParse(line[(colon + 1)..].Trim(), out length) || length < 0 || length > MaxBody))
            {
                throw new InvalidDataException("bad content-length");
            }
        }
        while (buffer.Count < length)
        {
            var read = await stream.ReadAsync(chunk, stop);
            if (read == 0)
            {
                return null;
            }
            buffer.AddRange(chunk.AsSpan(0, read));
        }
        var body = buffer.GetRange(0, length).ToArray();
        buffer.RemoveRange(0, length);
        return (requestLine[1], body);
    }

    private async Task RespondAsync(Stream stream, string path, byte[] body, CancellationToken stop)
    {
        (ResponseWire Wire, string Description)? answer;
        lock (_randomGate)
        {
            answer = DemoScenario.Respond(path, body, _random);
        }
        if (answer is null)
        {
            await stream.WriteAsync("HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 10\r\n\r\nnot found\n"u8.ToArray(), stop);
            return;
        }
        _log.LogDebug("Demo endpoint: {Path}: {Answer}", path, answer.Value.Description);
        var wire = answer.Value.Wire;
        var sent = 0;
        long previous = 0;
        foreach (var (end, offsetNs) in wire.Units)
        {
            // Paced like a model generating tokens, but never more than a short pause, so the demo stays quick.
            var gap = TimeSpan.FromTicks(Math.Min((offsetNs - previous) / 100, MaxGap.Ticks));
            previous = offsetNs;
            if (gap > TimeSpan.Zero)
            {
                await Task.Delay(gap, stop);
            }
            await stream.WriteAsync(wire.Bytes.AsMemory(sent, end - sent), stop);
            await stream.FlushAsync(stop);
            sent = end;
        }
        if (sent < wire.Bytes.Length)
        {
            await stream.WriteAsync(wire.Bytes.AsMemory(sent), stop);
        }
    }

    private static int IndexOf(List<byte> buffer, ReadOnlySpan<byte> pattern) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buffer).IndexOf(pattern);
}
