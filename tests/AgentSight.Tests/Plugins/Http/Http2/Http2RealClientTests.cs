using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Tests.Analyzers.Http2.Wire;
using AgentSight.Tests.Analyzers.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace AgentSight.Tests.Analyzers.Http2;

/// <summary>
/// Real HTTP/2 clients (curl with nghttp2, Node's <c>http2</c>, .NET's HttpClient) call a real HTTP/2 server (Kestrel)
/// that streams an LLM answer; the bytes between them, recorded by a TCP relay as the client's writes and reads, go
/// through http → sse → llm as captured TLS plaintext would. h2c by prior knowledge carries exactly the bytes HTTP/2
/// over TLS carries inside it, so this is what a capture of the same calls over TLS hands the analyzers.
/// </summary>
public sealed class Http2RealClientTests
{
    private const string AnthropicKey = "sk-ant-api03-FAKEFAKEFAKEFAKEFAKEFAKE";

    [Fact]
    public async Task Curl_over_HTTP2_streaming_an_Anthropic_answer_is_one_llm_call()
    {
        await using var server = await LlmServer.StartAsync();
        await using var relay = RecordingRelay.Start(server.Port);
        var body = """{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi over h2"}]}""";

        var output = await Run("curl", ["-sS", "--http2-prior-knowledge", "--max-time", "30", "-X", "POST", $"{relay.Url}/v1/messages",
            "-H", "content-type: application/json", "-H", $"x-api-key: {AnthropicKey}", "-H", "anthropic-version: 2023-06-01",
            "--data-binary", body]);
        Assert.Contains("message_stop", output, StringComparison.Ordinal);

        var chain = AnalyzerChain.Default().Run(await relay.EventsAsync());

        var llm = chain.Llm();
        Assert.Equal("anthropic", (string?)llm["gen_ai.provider.name"]);
        Assert.Equal("claude-sonnet-4-5", (string?)llm["gen_ai.request.model"]);
        Assert.Equal(LlmServer.AnswerText, ExpectedCall.OutputText(llm));
        Assert.Equal(12, (long)llm["gen_ai.usage.input_tokens"]!);
        Assert.Equal(25, (long)llm["gen_ai.usage.output_tokens"]!);
        Assert.Equal("req_h2", (string?)llm["request_id"]);
        Assert.True((bool)llm["complete"]!);
        var exchange = AssertOneHttp2Exchange(chain, "/v1/messages", relay.Port);
        Assert.Equal("curl/", ((string?)exchange["request"]!["headers"]!["user-agent"])?[..5]);
    }

    [Fact]
    public async Task Node_http2_client_streaming_an_OpenAI_answer_is_one_llm_call()
    {
        await using var server = await LlmServer.StartAsync();
        await using var relay = RecordingRelay.Start(server.Port);
        const string script = """
            const http2 = require('node:http2');
            const [url, body] = process.argv.slice(1);
            const client = http2.connect(url);
            client.on('error', e => { console.error(e); process.exit(2); });
            const req = client.request({ ':method': 'POST', ':path': '/v1/chat/completions',
              'content-type': 'application/json', 'authorization': 'Bearer sk-proj-FAKEFAKEFAKEFAKEFAKE' });
            let text = '';
            req.setEncoding('utf8');
            req.on('data', d => { text += d; });
            req.on('end', () => { process.stdout.write(text); client.close(); });
            req.end(body);
            """;
        var body = """{"model":"gpt-5","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi over h2"}]}""";

        var output = await Run("node", ["-e", script, relay.Url, body]);
        Assert.Contains("[DONE]", output, StringComparison.Ordinal);

        var chain = AnalyzerChain.Default().Run(await relay.EventsAsync());

        var llm = chain.Llm();
        // The OpenAI format at a host that is not OpenAI's.
        Assert.Equal("openai_compatible", (string?)llm["gen_ai.provider.name"]);
        Assert.Equal("gpt-5", (string?)llm["gen_ai.request.model"]);
        Assert.Equal(LlmServer.AnswerText, ExpectedCall.OutputText(llm));
        Assert.Equal(9, (long)llm["gen_ai.usage.input_tokens"]!);
        Assert.Equal(4, (long)llm["gen_ai.usage.output_tokens"]!);
        Assert.True((bool)llm["complete"]!);
        AssertOneHttp2Exchange(chain, "/v1/chat/completions", relay.Port);
    }

    [Fact]
    public async Task HttpClient_over_HTTP2_with_gzip_asked_gives_the_same_call()
    {
        await using var server = await LlmServer.StartAsync();
        await using var relay = RecordingRelay.Start(server.Port);
        using (var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.GZip }))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{relay.Url}/v1/messages")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new StringContent("""{"model":"claude-haiku-4-5","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-api-key", AnthropicKey);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpVersion.Version20, response.Version);
            Assert.Contains("message_stop", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var chain = AnalyzerChain.Default().Run(await relay.EventsAsync());

        var llm = chain.Llm();
        Assert.Equal("claude-haiku-4-5", (string?)llm["gen_ai.request.model"]);
        Assert.Equal(LlmServer.AnswerText, ExpectedCall.OutputText(llm));
        Assert.Equal(25, (long)llm["gen_ai.usage.output_tokens"]!);
        var exchange = AssertOneHttp2Exchange(chain, "/v1/messages", relay.Port);
        // Kestrel compressed the stream (the client asked for gzip): the analyzers saw it decoded.
        Assert.Equal("gzip", (string?)exchange["response"]!["content_encoding"]);
    }

    [Fact]
    public async Task Curl_upgrading_to_h2c_gives_its_upgraded_request_as_stream_1_and_one_llm_call()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = ServeH2cUpgradeAsync(listener);
        await using var relay = RecordingRelay.Start(((IPEndPoint)listener.LocalEndpoint).Port);
        var body = """{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi over h2c"}]}""";

        var output = await Run("curl", ["-sS", "--http2", "--max-time", "30", "-X", "POST", $"{relay.Url}/v1/messages",
            "-H", "content-type: application/json", "-H", $"x-api-key: {AnthropicKey}", "--data-binary", body]);
        Assert.Contains("message_stop", output, StringComparison.Ordinal);
        await serving.WaitAsync(TimeSpan.FromSeconds(30));

        var chain = AnalyzerChain.Default().Run(await relay.EventsAsync());

        var llm = chain.Llm();
        Assert.Equal("claude-sonnet-4-5", (string?)llm["gen_ai.request.model"]);
        Assert.Equal(LlmServer.AnswerText, ExpectedCall.OutputText(llm));
        Assert.Equal(25, (long)llm["gen_ai.usage.output_tokens"]!);
        var exchange = chain.OfSource("http").Single().Fields!;
        Assert.True((bool)exchange["complete"]!, exchange.ToJsonString());
        Assert.Equal(1, (int)exchange["stream_id"]!);
        // The request went as HTTP/1.1 (it asked for the upgrade); its answer came over HTTP/2.
        Assert.Equal("HTTP/1.1", (string?)exchange["request"]!["version"]);
        Assert.Equal("h2c", (string?)exchange["request"]!["headers"]!["upgrade"]);
        Assert.Equal(body, (string?)exchange["request"]!["body"]);
        Assert.Equal("HTTP/2", (string?)exchange["response"]!["version"]);
        Assert.Equal("req_h2c", (string?)exchange["response"]!["headers"]!["request-id"]);
        Assert.Empty(chain.OfSource("ssl"));
    }

    /// <summary>
    /// A server that takes one HTTP/1.1 request asking for <c>Upgrade: h2c</c>, switches (RFC 7540 §3.2) and answers it
    /// on stream 1 with an Anthropic stream, written frame by frame (no HTTP/2 server at hand does h2c upgrades).
    /// </summary>
    private static async Task ServeH2cUpgradeAsync(TcpListener listener)
    {
        using var connection = await listener.AcceptTcpClientAsync();
        var stream = connection.GetStream();
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !head[^4..].SequenceEqual("\r\n\r\n"u8.ToArray()))
        {
            await stream.ReadExactlyAsync(one);
            head.Add(one[0]);
        }
        var text = Encoding.ASCII.GetString([.. head]);
        Assert.Contains("Upgrade: h2c", text, StringComparison.OrdinalIgnoreCase);
        var length = int.Parse(System.Text.RegularExpressions.Regex.Match(text, @"(?i)content-length:\s*(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        await stream.ReadExactlyAsync(new byte[length]);

        var hpack = new Wire.HpackEncoder();
        var frames = new List<byte[]>
        {
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"u8.ToArray(),
            Wire.H2Frames.Settings((3, 100)),
            Wire.H2Frames.Headers(1, hpack.Encode([(":status", "200"), ("content-type", "text/event-stream; charset=utf-8"), ("request-id", "req_h2c")]), endStream: false),
        };
        frames.AddRange(Http2AnalyzerTests.AnthropicStream(LlmServer.AnswerText).Select(sse => Wire.H2Wire.Data(1, sse)));
        frames.Add(Wire.H2Frames.Data(1, [], endStream: true));
        foreach (var frame in frames)
        {
            await stream.WriteAsync(frame);
            await stream.FlushAsync();
        }
        // The client's preface, SETTINGS and their acknowledgements, until it closes.
        var rest = new byte[4096];
        while (await stream.ReadAsync(rest) > 0)
        {
        }
    }

    /// <summary>The one http event: HTTP/2, whole, every header known, and no byte of the connection left raw.</summary>
    private static JsonObject AssertOneHttp2Exchange(AnalyzerChain chain, string path, int port)
    {
        var exchange = chain.OfSource("http").Single().Fields!;
        var because = exchange.ToJsonString();
        Assert.True((bool)exchange["complete"]!, because);
        var request = exchange["request"]!;
        Assert.Equal("HTTP/2", (string?)request["version"]);
        Assert.Equal("POST", (string?)request["method"]);
        Assert.Equal(path, (string?)request["path"]);
        Assert.Equal($"127.0.0.1:{port}", (string?)request["host"]);
        Assert.Equal(0, (int)request["headers_missed"]!);
        var response = exchange["response"]!;
        Assert.Equal(200, (int)response["status"]!);
        Assert.Equal(0, (int)response["headers_missed"]!);
        Assert.True((bool)response["streamed"]!, because);
        Assert.Empty(chain.OfSource("ssl"));
        var http = chain.Context("http");
        Assert.Equal(1, http.CounterValue("http2_connections"));
        Assert.Equal(0, http.CounterValue("http2_joined"));
        Assert.Equal(0, http.CounterValue("protocol_errors"));
        Assert.Equal(0, http.CounterValue("hpack_errors"));
        return exchange;
    }

    private static async Task<string> Run(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{program} exited with {process.ExitCode}: {await errors}");
        return await output;
    }

    /// <summary>Kestrel on 127.0.0.1, HTTP/2 only without TLS (h2c by prior knowledge), answering as Anthropic and OpenAI stream.</summary>
    private sealed class LlmServer : IAsyncDisposable
    {
        public const string AnswerText = "Hello over HTTP/2 ✓";

        private readonly WebApplication _app;

        private LlmServer(WebApplication app) => _app = app;

        public int Port => new Uri(_app.Urls.Single()).Port;

        public static async Task<LlmServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
            var app = builder.Build();
            app.Run(Answer);
            await app.StartAsync();
            return new LlmServer(app);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        private static async Task Answer(HttpContext context)
        {
            var request = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!;
            var model = (string)request["model"]!;
            var anthropic = context.Request.Path == "/v1/messages";
            context.Response.ContentType = "text/event-stream; charset=utf-8";
            context.Response.Headers["request-id"] = "req_h2";
            var body = context.Response.Body;
            if (context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.Ordinal))
            {
                context.Response.Headers.ContentEncoding = "gzip";
                body = new System.IO.Compression.GZipStream(body, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true);
            }
            // Each event in its own DATA frames, flushed as a real server streams them.
            foreach (var sse in anthropic ? Http2AnalyzerTests.AnthropicStream(AnswerText) : OpenAiStream(model))
            {
                var text = anthropic ? sse.Replace("claude-sonnet-4-5", model, StringComparison.Ordinal) : sse;
                await body.WriteAsync(Encoding.UTF8.GetBytes(text));
                await body.FlushAsync();
            }
            if (body != context.Response.Body)
            {
                await body.DisposeAsync();
            }
        }

        private static IEnumerable<string> OpenAiStream(string model)
        {
            string Chunk(string delta, string? finish) =>
                "data: {\"id\":\"chatcmpl-h2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + (finish ?? "null") + "}]}\n\n";
            yield return Chunk("""{"role":"assistant","content":""}""", null);
            yield return Chunk(new JsonObject { ["content"] = AnswerText[..8] }.ToJsonString(), null);
            yield return Chunk(new JsonObject { ["content"] = AnswerText[8..] }.ToJsonString(), null);
            yield return Chunk("{}", "\"stop\"");
            yield return "data: {\"id\":\"chatcmpl-h2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + model
                + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4,\"total_tokens\":13}}\n\n";
            yield return "data: [DONE]\n\n";
        }
    }
}
