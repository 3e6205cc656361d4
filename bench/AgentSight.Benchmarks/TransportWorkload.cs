using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace AgentSight.Benchmarks;

/// <summary>The transports one workload is recorded over.</summary>
internal enum Transport
{
    Http1,
    Http2,
    WebSocket,
    WebSocketDeflate,
}

/// <summary>
/// The same streamed Responses API calls made by real clients over each transport, recorded as the plaintext a TLS
/// probe would see: .NET's HttpClient (HTTP/1.1 keep-alive, or HTTP/2 by prior knowledge) and ClientWebSocket (the
/// Responses API's WebSocket transport, with and without permessage-deflate) talk to Kestrel on 127.0.0.1 through a
/// relay that turns every read and write into an <c>ssl</c> event, in the order it saw them.
/// </summary>
/// <remarks>
/// The server pauses about a millisecond between the events of an answer, as a model streams them: the client then
/// reads each event as it comes, one read per event as a TLS reader gets one record per flush, over every transport
/// alike. Without the pause the relay would gather a whole HTTP answer into one or two reads while a WebSocket still
/// gives one event per message, and the comparison would be of read sizes, not of transports.
/// </remarks>
internal static class TransportWorkload
{
    private const int Deltas = 40;

    public static async Task<AgentEvent[]> RecordAsync(Transport transport, int calls)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = transport == Transport.Http2 ? HttpProtocols.Http2 : HttpProtocols.Http1);
        });
        await using var app = builder.Build();
        app.UseWebSockets();
        app.Run(ServeAsync);
        await app.StartAsync();
        var port = new Uri(app.Urls.Single()).Port;
        await using var relay = new Relay(port);
        var body = RequestBody();
        if (transport is Transport.Http1 or Transport.Http2)
        {
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 })
            {
                DefaultRequestVersion = transport == Transport.Http2 ? HttpVersion.Version20 : HttpVersion.Version11,
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            for (var i = 0; i < calls; i++)
            {
                using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
                using var response = await client.PostAsync($"http://127.0.0.1:{relay.Port}/v1/responses", content);
                await response.Content.ReadAsByteArrayAsync();
            }
        }
        else
        {
            using var socket = new ClientWebSocket();
            if (transport == Transport.WebSocketDeflate)
            {
                socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = true, ServerContextTakeover = true };
            }
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{relay.Port}/v1/responses"), CancellationToken.None);
            body["type"] = "response.create";
            var create = Encoding.UTF8.GetBytes(body.ToJsonString());
            var buffer = new byte[64 * 1024];
            for (var i = 0; i < calls; i++)
            {
                await socket.SendAsync(create, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                while (true)
                {
                    using var message = new MemoryStream();
                    WebSocketReceiveResult received;
                    do
                    {
                        received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                        message.Write(buffer, 0, received.Count);
                    }
                    while (!received.EndOfMessage);
                    if (Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length).Contains("\"response.completed\"", StringComparison.Ordinal))
                    {
                        break;
                    }
                }
            }
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }
        return await relay.EventsAsync();
    }

    /// <summary>A Codex-sized request: instructions, a few turns of history (about 10 KB) and a tool.</summary>
    private static JsonObject RequestBody()
    {
        var input = new JsonArray();
        for (var turn = 0; turn < 8; turn++)
        {
            input.Add(new JsonObject
            {
                ["type"] = "message",
                ["role"] = turn % 2 == 0 ? "user" : "assistant",
                ["content"] = new JsonArray(new JsonObject { ["type"] = turn % 2 == 0 ? "input_text" : "output_text", ["text"] = string.Concat(Enumerable.Repeat($"Turn {turn}: refactor the parser and keep the tests green. ", 20)) }),
            });
        }
        return new JsonObject
        {
            ["model"] = "gpt-5.1-codex",
            ["stream"] = true,
            ["instructions"] = "You are a coding agent. Be precise and run the tests.",
            ["input"] = input,
            ["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["name"] = "shell", ["description"] = "Run a command", ["parameters"] = new JsonObject { ["type"] = "object" } }),
        };
    }

    /// <summary>The events of one streamed answer: created, <see cref="Deltas"/> text deltas, the item, completed with usage.</summary>
    private static IEnumerable<JsonObject> AnswerEvents(string model)
    {
        var id = "resp_" + Guid.NewGuid().ToString("N");
        var text = new StringBuilder();
        yield return new JsonObject { ["type"] = "response.created", ["response"] = new JsonObject { ["id"] = id, ["object"] = "response", ["status"] = "in_progress", ["model"] = model } };
        for (var i = 0; i < Deltas; i++)
        {
            var delta = $"Step {i}: the parser now reads the header before the body. ";
            text.Append(delta);
            yield return new JsonObject { ["type"] = "response.output_text.delta", ["item_id"] = "msg_1", ["output_index"] = 0, ["content_index"] = 0, ["delta"] = delta };
        }
        var item = new JsonObject { ["type"] = "message", ["id"] = "msg_1", ["role"] = "assistant", ["status"] = "completed", ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = text.ToString() }) };
        yield return new JsonObject { ["type"] = "response.output_item.done", ["output_index"] = 0, ["item"] = item.DeepClone() };
        yield return new JsonObject
        {
            ["type"] = "response.completed",
            ["response"] = new JsonObject
            {
                ["id"] = id, ["object"] = "response", ["status"] = "completed", ["model"] = model, ["output"] = new JsonArray(item),
                ["usage"] = new JsonObject { ["input_tokens"] = 2400, ["output_tokens"] = 480, ["total_tokens"] = 2880 },
            },
        };
    }

    private static async Task ServeAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = true });
            var buffer = new byte[64 * 1024];
            while (true)
            {
                WebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                }
                while (!received.EndOfMessage);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }
                foreach (var evt in AnswerEvents("gpt-5.1-codex"))
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(evt.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                    await Task.Delay(1);
                }
            }
        }
        await context.Request.Body.CopyToAsync(Stream.Null);
        context.Response.ContentType = "text/event-stream";
        await context.Response.StartAsync();
        foreach (var evt in AnswerEvents("gpt-5.1-codex"))
        {
            await context.Response.WriteAsync($"event: {(string?)evt["type"]}\ndata: {evt.ToJsonString()}\n\n");
            await context.Response.Body.FlushAsync();
            await Task.Delay(1);
        }
    }

    /// <summary>A TCP relay on 127.0.0.1 recording what passes as the client's TLS writes and reads.</summary>
    private sealed class Relay : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly int _target;
        private readonly List<AgentEvent> _events = [];
        private readonly List<Task> _pumps = [];
        private readonly Task _accepting;
        private long _time = 1_795_514_400_000_000_000;
        private ulong _connections = 0x7000;

        public Relay(int target)
        {
            _target = target;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public async Task<AgentEvent[]> EventsAsync()
        {
            Task[] pumps;
            lock (_events)
            {
                pumps = [.. _pumps];
            }
            await Task.WhenAll(pumps).WaitAsync(TimeSpan.FromSeconds(60));
            lock (_events)
            {
                return [.. _events];
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
                var connection = ++_connections;
                lock (_events)
                {
                    _pumps.Add(PumpAsync(client, server, TlsDirection.Write, connection));
                    _pumps.Add(PumpAsync(server, client, TlsDirection.Read, connection));
                }
            }
        }

        private async Task PumpAsync(TcpClient from, TcpClient to, TlsDirection direction, ulong connection)
        {
            var buffer = new byte[16 * 1024];
            var source = from.GetStream();
            var sink = to.GetStream();
            while (true)
            {
                int read;
                try
                {
                    read = await source.ReadAsync(buffer);
                }
                catch (IOException)
                {
                    read = 0;
                }
                if (read == 0)
                {
                    to.Client.Shutdown(SocketShutdown.Send);
                    return;
                }
                var bytes = buffer.AsSpan(0, read).ToArray();
                lock (_events)
                {
                    _time += 10_000;
                    _events.Add(new AgentEvent(_time, EventSources.Ssl, 4242, 4242, "agent", new TlsPayload(direction, bytes, bytes.Length) { ConnectionId = connection }));
                }
                await sink.WriteAsync(bytes);
            }
        }
    }
}
