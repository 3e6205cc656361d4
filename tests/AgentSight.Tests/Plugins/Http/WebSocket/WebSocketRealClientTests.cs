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

    /// <summary>
    /// Node's own WebSocket client (undici), which offers permessage-deflate: compressed when the server agrees, plain
    /// frames when it does not; masked by the client either way, a message over 64 KiB (a 64-bit length), a close with
    /// its code and reason.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Node_WebSocket_client_with_and_without_compression_gives_every_message_both_ways(bool compress)
    {
        await using var server = await EchoServer.StartAsync();
        await using var relay = RecordingRelay.Start(server.Port);
        const string script = """
            const [url, big] = process.argv.slice(1);
            const sent = ['{"type":"response.create","input":"héllo ✓"}', 'x'.repeat(Number(big))];
            const ws = new WebSocket(url);
            let answers = 0;
            ws.onerror = e => { console.error(e.message ?? e); process.exit(2); };
            ws.onopen = () => ws.send(sent[0]);
            ws.onmessage = m => {
              answers++;
              if (answers < sent.length) ws.send(sent[answers]); else ws.close(4001, 'all done');
            };
            ws.onclose = e => { process.stdout.write(`closed ${e.code}`); };
            """;

        var path = compress ? "/socket" : EchoServer.PlainPath;
        var output = await RunNode(["--experimental-websocket", "-e", script, $"ws://127.0.0.1:{relay.Port}{path}", "70000"]);
        Assert.Contains("closed", output, StringComparison.Ordinal);

        var chain = AnalyzerChain.Default().Run(await relay.EventsAsync());

        var messages = chain.OfSource("websocket").Select(PayloadJson.Of).ToList();
        var because = string.Join('\n', messages.Select(m => $"{m["direction"]} {m["opcode"]} compressed={m["compressed"]} size={m["size"]}"));
        var texts = messages.Where(m => (string?)m["opcode"] == "text").ToList();
        string[] sent = ["{\"type\":\"response.create\",\"input\":\"héllo ✓\"}", new string('x', 70_000)];
        Assert.True(sent.SequenceEqual(texts.Where(m => (string?)m["direction"] == "client").Select(m => (string?)m["text"])), because);
        Assert.Equal(2, texts.Count(m => (string?)m["direction"] == "server"));
        // undici sends its own messages uncompressed (RFC 7692 lets each message choose); Kestrel compresses when agreed.
        Assert.All(texts, m => Assert.True((bool)m["compressed"]! == (compress && (string?)m["direction"] == "server"), because));
        var close = messages.First(m => (string?)m["opcode"] == "close" && (string?)m["direction"] == "client");
        Assert.Equal((4001, "all done"), ((int?)close["close_code"], (string?)close["text"]));
        Assert.Equal(0, chain.Context("http").CounterValue("websocket_protocol_errors"));
    }

    private static async Task<string> RunNode(IEnumerable<string> arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"node exited with {process.ExitCode}: {await errors}");
        return await output;
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

    /// <summary>Kestrel on 127.0.0.1 accepting WebSocket with compression (except on <see cref="PlainPath"/>), echoing each text message.</summary>
    private sealed class EchoServer : IAsyncDisposable
    {
        /// <summary>The path on which the server declines permessage-deflate.</summary>
        public const string PlainPath = "/plain";

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
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = context.Request.Path != PlainPath });
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
