using System.Net;
using System.Net.WebSockets;
using System.Text;
using AgentSight.Plugins.Llm;
using AgentSight.Tests.Analyzers.Http2.Wire;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentSight.Tests.Analyzers.Http.WebSocket;

/// <summary>
/// .NET's ClientWebSocket talks to Kestrel's WebSocket middleware through a recording relay (as the HTTP/2 real-client
/// tests do), with permessage-deflate and context takeover both ways; the recorded bytes go through the default chain
/// as captured TLS plaintext would.
/// </summary>
public sealed class WebSocketRealClientTests
{
    [Fact]
    public async Task ClientWebSocket_with_permessage_deflate_and_context_takeover_gives_every_message_both_ways()
    {
        await using var server = await EchoServer.StartAsync();
        await using var relay = RecordingRelay.Start(server.Port);
        // Repeated messages: with context takeover the later ones are mostly references into the earlier ones' window.
        string[] sent = ["""{"type":"response.create","response":{"instructions":"Say hello ✓"}}""",
            """{"type":"response.create","response":{"instructions":"Say hello ✓"}}""", "short", new string('w', 70_000)];
        using (var client = new ClientWebSocket())
        {
            client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = true, ServerContextTakeover = true };
            await client.ConnectAsync(new Uri($"ws://127.0.0.1:{relay.Port}/v1/realtime"), CancellationToken.None);
            foreach (var text in sent)
            {
                await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                Assert.Equal("echo: " + text, await ReceiveAsync(client));
            }
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        var chain = AnalyzerChain.Default(llm: new LlmAnalyzerConfig { KeepMessages = true }).Run(await relay.EventsAsync());

        var upgrade = chain.OfSource("http").Single().Fields!;
        Assert.Equal(101, (int)upgrade["response"]!["status"]!);
        var messages = chain.OfSource("websocket").Select(PayloadJson.Of).ToList();
        var because = string.Join('\n', messages.Select(m => m.ToJsonString()));
        var texts = messages.Where(m => (string?)m["opcode"] == "text").ToList();
        Assert.Equal(sent, texts.Where(m => (string?)m["direction"] == "client").Select(m => (string?)m["text"]));
        Assert.Equal(sent.Select(t => "echo: " + t), texts.Where(m => (string?)m["direction"] == "server").Select(m => (string?)m["text"]));
        Assert.All(texts, m => Assert.True((bool)m["compressed"]!, because));
        // The repeated message took fewer bytes on the wire the second time: the window was carried over.
        Assert.True((long)texts[2]["compressed_size"]! < (long)texts[0]["compressed_size"]!, because);
        Assert.All(messages, m => Assert.Equal((string?)upgrade["exchange_id"], (string?)m["exchange_id"]));
        Assert.Equal(2, messages.Count(m => (string?)m["opcode"] == "close"));
        var http = chain.Context("http");
        Assert.Equal(0, http.CounterValue("websocket_protocol_errors"));
        Assert.Equal(0, http.CounterValue("websocket_inflate_failures"));
        Assert.Empty(chain.OfSource("ssl"));
    }

    private static async Task<string> ReceiveAsync(System.Net.WebSockets.WebSocket socket)
    {
        using var text = new MemoryStream();
        var buffer = new byte[8192];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            text.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(text.ToArray());
    }

    /// <summary>Kestrel on 127.0.0.1 accepting WebSocket with compression, echoing each text message.</summary>
    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private EchoServer(WebApplication app) => _app = app;

        public int Port => new Uri(_app.Urls.Single()).Port;

        public static async Task<EchoServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            app.UseWebSockets();
            app.Run(EchoAsync);
            await app.StartAsync();
            return new EchoServer(app);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        private static async Task EchoAsync(HttpContext context)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = true });
            while (true)
            {
                var buffer = new byte[8192];
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }
                var echo = Encoding.UTF8.GetBytes("echo: " + Encoding.UTF8.GetString(message.ToArray()));
                await socket.SendAsync(echo, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
    }
}
