using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace AgentSight.Tests.Agents;

/// <summary>
/// A fake LLM endpoint for real coding agents: HTTPS on 127.0.0.1 (a random port; Kestrel; by default HTTP/1.1 only,
/// so ALPN offers only <c>http/1.1</c> and a client that offers <c>h2</c> too, like Codex, falls back to HTTP/1.1; or
/// HTTP/2, or the Responses API over WebSocket: see <see cref="EndpointTransport"/>), with a certificate from a
/// throw-away CA in <see cref="CaCertificatePath"/>. It speaks each provider's real streaming
/// format: Anthropic Messages (Claude Code), OpenAI Responses (Codex), OpenAI Chat Completions (Copilot CLI) and Gemini
/// (Gemini CLI).
/// </summary>
/// <remarks>
/// <para>The script, decided from each request alone: a request that carries a tool result (<c>tool_result</c>,
/// <c>function_call_output</c>, <c>role:"tool"</c>, <c>functionResponse</c>) gets the final text with
/// <see cref="FinalMarker"/>; a request that offers a shell tool gets a call of that tool running
/// <see cref="ToolCommand"/> (which prints <see cref="ToolOutputMarker"/>, a string the command itself does not
/// contain); any other request (titles, summaries, Gemini's routing) gets a short side answer, shaped by the response
/// schema when the request sets one. Answers echo the requested model and report the fixed usage
/// <see cref="ToolCallUsage"/>, <see cref="FinalUsage"/> or <see cref="SideUsage"/>.</para>
/// <para>Every request is kept in <see cref="Requests"/>, every model answer in <see cref="Answers"/>.</para>
/// </remarks>
public sealed class AgentEndpoint : IAsyncDisposable
{
    /// <summary>The usage reported with the tool call.</summary>
    public static readonly TokenUsage ToolCallUsage = new(1234, 56);

    /// <summary>The usage reported with the final text.</summary>
    public static readonly TokenUsage FinalUsage = new(2345, 67);

    /// <summary>The usage reported with side answers (and by the token-counting paths).</summary>
    public static readonly TokenUsage SideUsage = new(123, 7);

    private readonly WebApplication _app;
    private readonly LocalCertificateAuthority _ca;
    private readonly string _folder;
    private readonly bool _ownsFolder;
    private readonly Action<string>? _log;
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<EndpointAnswer> _answers = [];
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _offeredAlpn = new();

    private AgentEndpoint(WebApplication app, LocalCertificateAuthority ca, string folder, bool ownsFolder, Action<string>? log, EndpointTransport transport)
    {
        _app = app;
        Transport = transport;
        _ca = ca;
        _folder = folder;
        _ownsFolder = ownsFolder;
        _log = log;
        var tag = WireIds.Hex(8);
        ToolOutputMarker = "AGENTSIGHT-TOOL-" + tag;
        // printf joins the halves: the marker is in the command's output, not in the command line the model sent.
        ToolCommand = $"printf '%s-%s\\n' AGENTSIGHT-TOOL {tag}";
        FinalMarker = "AGENTSIGHT-DONE-" + WireIds.Hex(8);
    }

    public int Port { get; private set; }

    /// <summary>How agents reach it; <see cref="RealAgent.Prepare"/> configures agents to match.</summary>
    public EndpointTransport Transport { get; }

    /// <summary><c>https://127.0.0.1:PORT</c> (<c>http://</c> for <see cref="EndpointTransport.PlainHttp"/>), without a trailing slash.</summary>
    public string BaseUrl => $"{(Transport == EndpointTransport.PlainHttp ? "http" : "https")}://127.0.0.1:{Port}";

    /// <summary>The CA certificate (PEM) the agents must trust.</summary>
    public string CaCertificatePath => _ca.CaCertificatePath;

    public LocalCertificateAuthority CertificateAuthority => _ca;

    /// <summary>The shell command the tool call asks for.</summary>
    public string ToolCommand { get; }

    /// <summary>What <see cref="ToolCommand"/> prints; the tool result sent back must contain it.</summary>
    public string ToolOutputMarker { get; }

    /// <summary>In the final text (and so in the agent's output).</summary>
    public string FinalMarker { get; }

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Every model answer so far (tool calls, final texts, side answers), in order.</summary>
    public IReadOnlyList<EndpointAnswer> Answers
    {
        get
        {
            lock (_gate)
            {
                return [.. _answers];
            }
        }
    }

    /// <summary>The requests of the scripted conversation: those answered with the tool call or the final text.</summary>
    public IReadOnlyList<RecordedRequest> ConversationCalls
    {
        get
        {
            lock (_gate)
            {
                return [.. _answers.Where(a => a.Kind is AnswerKind.ToolCall or AnswerKind.FinalText).Select(a => _requests[a.RequestIndex])];
            }
        }
    }

    /// <summary>Starts the endpoint. <paramref name="folder"/> receives <c>ca.crt</c> (a temporary folder, removed on dispose, when null); <paramref name="log"/> gets one line per request and answer.</summary>
    public static async Task<AgentEndpoint> StartAsync(string? folder = null, Action<string>? log = null, EndpointTransport transport = EndpointTransport.Http1)
    {
        var ownsFolder = folder is null;
        folder ??= Directory.CreateTempSubdirectory("agentsight-endpoint-").FullName;
        var ca = LocalCertificateAuthority.Create(folder);
        AgentEndpoint? endpoint = null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = folder, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                // HTTP/1.1 only unless asked: ALPN then offers http/1.1 alone, and h2-capable clients fall back to it.
                listen.Protocols = transport == EndpointTransport.Http2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                if (transport == EndpointTransport.PlainHttp)
                {
                    return;
                }
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = ca.ServerCertificate,
                    ServerCertificateChain = new X509Certificate2Collection(ca.CaCertificate),
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    // What the client offered, to show that an h2-capable client (Codex) fell back to http/1.1; read with
                    // the parser live capture uses on the hellos it sees, so the real agents' hellos test it too.
                    TlsClientHelloBytesCallback = (connection, hello) => endpoint!._offeredAlpn[connection.ConnectionId] =
                        AgentSight.Host.Capture.Network.ClientHello.Parse(System.Buffers.BuffersExtensions.ToArray(hello))?.Protocols ?? [],
                });
            });
        });
        var app = builder.Build();
        endpoint = new AgentEndpoint(app, ca, folder, ownsFolder, log, transport);
        app.UseWebSockets();
        app.Run(endpoint.HandleAsync);
        await app.StartAsync();
        endpoint.Port = new Uri(app.Urls.Single()).Port;
        return endpoint;
    }

    /// <summary>The request an answer answered.</summary>
    public RecordedRequest RequestOf(EndpointAnswer answer)
    {
        lock (_gate)
        {
            return _requests[answer.RequestIndex];
        }
    }

    /// <summary>The answer given to a request, if it was a model call.</summary>
    public EndpointAnswer? AnswerTo(RecordedRequest request)
    {
        lock (_gate)
        {
            return _answers.FirstOrDefault(a => a.RequestIndex == request.Index);
        }
    }

    /// <summary>One line per request and its answer, for test output.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var request in Requests)
        {
            text.Append(request);
            if (AnswerTo(request) is { } answer)
            {
                text.Append(" -> ").Append(answer.Kind).Append(' ').Append(answer.Model);
                if (answer.ToolName is not null)
                {
                    text.Append(" tool ").Append(answer.ToolName).Append(' ').Append(answer.ToolArguments);
                }
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await _app.DisposeAsync();
        _ca.Dispose();
        if (_ownsFolder)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var cancel = context.RequestAborted;
        var request = context.Request;
        var encoding = request.Headers.ContentEncoding.ToString();
        var body = await ReadBodyAsync(request.Body, encoding, cancel);
        var recorded = Record(context, request.Protocol, request.Method, encoding.Length == 0 ? null : encoding, body);
        if (context.WebSockets.IsWebSocketRequest)
        {
            await ServeWebSocketAsync(context, recorded, cancel);
            return;
        }
        try
        {
            await RouteAsync(context.Response, recorded, cancel);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log?.Invoke($"endpoint: #{recorded.Index} failed: {ex}");
            if (!context.Response.HasStarted)
            {
                await Sse.JsonAsync(context.Response, 500, new JsonObject { ["error"] = new JsonObject { ["message"] = ex.Message, ["type"] = "server_error" } }, cancel);
            }
        }
    }

    /// <summary>Keeps one request (or one WebSocket message: <paramref name="protocol"/> <c>websocket</c>) in <see cref="Requests"/>.</summary>
    private RecordedRequest Record(HttpContext context, string protocol, string method, string? encoding, string body)
    {
        var request = context.Request;
        var tls = context.Features.Get<ISslStreamFeature>()?.SslStream;
        var alpn = tls is null ? "" : Encoding.ASCII.GetString(tls.NegotiatedApplicationProtocol.Protocol.Span);
        var offered = _offeredAlpn.TryGetValue(context.Connection.Id, out var list) ? list : [];
        RecordedRequest recorded;
        lock (_gate)
        {
            recorded = new RecordedRequest(
                _requests.Count,
                DateTimeOffset.UtcNow,
                context.Connection.Id,
                protocol,
                tls?.SslProtocol.ToString() ?? "",
                offered,
                alpn,
                method,
                request.Path.Value ?? "/",
                request.QueryString.Value ?? "",
                request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                encoding,
                body);
            _requests.Add(recorded);
        }
        _log?.Invoke("endpoint: " + recorded);
        return recorded;
    }

    /// <summary>
    /// The Responses API over WebSocket on <c>GET …/responses</c>: each text message <c>response.create</c> is one model
    /// call (kept in <see cref="Requests"/> as method <c>WS</c>, protocol <c>websocket</c>), answered with the events a
    /// streamed HTTP call gets, one message each; a warm-up (<c>generate: false</c>) gets a response with no output.
    /// </summary>
    private async Task ServeWebSocketAsync(HttpContext context, RecordedRequest upgrade, CancellationToken cancel)
    {
        if (!upgrade.Path.EndsWith("/responses", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }
        context.Response.Headers["x-request-id"] = "req_" + WireIds.Hex(32);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = true });
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (socket.State == WebSocketState.Open)
        {
            message.SetLength(0);
            WebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer, cancel);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancel);
                return;
            }
            var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            var recorded = Record(context, "websocket", "WS", null, text);
            Task Send(JsonObject payload) => socket.SendAsync(Encoding.UTF8.GetBytes(Sse.Serialize(payload)), WebSocketMessageType.Text, endOfMessage: true, cancel);
            if (recorded.Json is not JsonObject json || WireJson.String(json["type"]) != "response.create")
            {
                await Send(new JsonObject { ["type"] = "error", ["status"] = 400, ["error"] = OpenAiResponsesWire.Error("invalid_request_error", "expected a response.create event")["error"]!.DeepClone() });
                continue;
            }
            var call = OpenAiResponsesWire.Inspect(json);
            var reply = json["generate"] is JsonValue generate && generate.GetValueKind() == System.Text.Json.JsonValueKind.False
                ? Prewarm(recorded, call)
                : Decide(recorded, call);
            await OpenAiResponsesWire.StreamAsync(reply, created, (_, payload) => Send(payload));
        }
    }

    /// <summary>A warm-up call: answered with a response without output, reporting <see cref="SideUsage"/>.</summary>
    private ScriptedReply Prewarm(RecordedRequest request, ModelCall call)
    {
        var reply = new ScriptedReply(AnswerKind.Prewarm, call.Model, "", null, null, null, SideUsage, WireIds.ResponsesResponse());
        lock (_gate)
        {
            _answers.Add(new EndpointAnswer(request.Index, call.Api, AnswerKind.Prewarm, call.Model, true, reply.ResponseId, null, null, null, null, null, SideUsage));
        }
        _log?.Invoke($"endpoint: #{request.Index} {call.Api} model {call.Model} warm-up -> {AnswerKind.Prewarm}");
        return reply;
    }

    private async Task RouteAsync(HttpResponse response, RecordedRequest request, CancellationToken cancel)
    {
        var path = request.Path;
        if (HttpMethods.IsHead(request.Method))
        {
            // Claude Code's warm-up.
            response.StatusCode = 200;
            return;
        }
        if (HttpMethods.IsPost(request.Method))
        {
            var json = request.Json;
            if (path.EndsWith("/messages/count_tokens", StringComparison.Ordinal))
            {
                await Sse.JsonAsync(response, 200, AnthropicMessagesWire.CountTokens(SideUsage.InputTokens), cancel);
                return;
            }
            if (path.EndsWith("/v1/messages", StringComparison.Ordinal))
            {
                if (json is null)
                {
                    await Sse.JsonAsync(response, 400, AnthropicMessagesWire.Error("invalid_request_error", "the body is not JSON"), cancel);
                    return;
                }
                var call = AnthropicMessagesWire.Inspect(json);
                await AnthropicMessagesWire.WriteAsync(response, Decide(request, call), call.Stream, cancel);
                return;
            }
            if (path.EndsWith("/responses", StringComparison.Ordinal))
            {
                if (json is null)
                {
                    await Sse.JsonAsync(response, 400, OpenAiResponsesWire.Error("invalid_request_error", $"the body is not JSON (content-encoding {request.ContentEncoding ?? "none"})"), cancel);
                    return;
                }
                var call = OpenAiResponsesWire.Inspect(json);
                await OpenAiResponsesWire.WriteAsync(response, Decide(request, call), call.Stream, cancel);
                return;
            }
            if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
            {
                if (json is null)
                {
                    await Sse.JsonAsync(response, 400, ChatCompletionsWire.Error("invalid_request_error", "the body is not JSON"), cancel);
                    return;
                }
                var call = ChatCompletionsWire.Inspect(json);
                await ChatCompletionsWire.WriteAsync(response, Decide(request, call), call.Stream, ChatCompletionsWire.IncludeUsage(json), cancel);
                return;
            }
            if (GeminiWire.ParsePath(path) is { } gemini)
            {
                if (gemini.Method == "countTokens")
                {
                    await Sse.JsonAsync(response, 200, GeminiWire.CountTokens(SideUsage.InputTokens), cancel);
                    return;
                }
                if (json is null || gemini.Method is not ("generateContent" or "streamGenerateContent"))
                {
                    await Sse.JsonAsync(response, 400, GeminiWire.Error(400, "INVALID_ARGUMENT", $"cannot answer {gemini.Method}"), cancel);
                    return;
                }
                var stream = gemini.Method == "streamGenerateContent";
                var call = GeminiWire.Inspect(json, gemini.Model, stream);
                var sse = request.Query.Contains("alt=sse", StringComparison.Ordinal);
                await GeminiWire.WriteAsync(response, Decide(request, call), stream, sse, cancel);
                return;
            }
        }
        var notFound = path.StartsWith("/v1beta", StringComparison.Ordinal)
            ? GeminiWire.Error(404, "NOT_FOUND", $"{request.Method} {path} is not served here")
            : AnthropicMessagesWire.Error("not_found_error", $"{request.Method} {path} is not served here");
        await Sse.JsonAsync(response, 404, notFound, cancel);
    }

    private ScriptedReply Decide(RecordedRequest request, ModelCall call)
    {
        var kind = call.ToolResult is not null ? AnswerKind.FinalText : call.Shell is not null ? AnswerKind.ToolCall : AnswerKind.SideAnswer;
        var text = kind switch
        {
            AnswerKind.ToolCall => "I'll run the command.",
            AnswerKind.FinalText => $"{FinalMarker}: the command ran (answered as {call.Model}).",
            _ => call.ResponseSchema is not null ? Sse.Serialize(JsonSchemaSample.For(call.ResponseSchema, "AgentSight side answer")!) : "AgentSight side answer",
        };
        var usage = kind switch
        {
            AnswerKind.ToolCall => ToolCallUsage,
            AnswerKind.FinalText => FinalUsage,
            _ => SideUsage,
        };
        var (responseId, toolCallId) = call.Api switch
        {
            WireApi.AnthropicMessages => (WireIds.AnthropicMessage(), WireIds.AnthropicToolUse()),
            WireApi.OpenAiResponses => (WireIds.ResponsesResponse(), WireIds.OpenAiCall()),
            WireApi.OpenAiChatCompletions => (WireIds.ChatCompletion(), WireIds.OpenAiCall()),
            _ => (WireIds.GeminiResponse(), (string?)null),
        };
        var tool = kind == AnswerKind.ToolCall ? call.Shell : null;
        var arguments = tool?.Arguments(ToolCommand);
        var reply = new ScriptedReply(kind, call.Model, text, tool, tool is null ? null : toolCallId, arguments, usage, responseId);
        var answer = new EndpointAnswer(request.Index, call.Api, kind, call.Model, call.Stream, responseId, text, tool?.Name, reply.ToolCallId,
            arguments is null ? null : Sse.Serialize(arguments), call.ToolResult, usage);
        lock (_gate)
        {
            _answers.Add(answer);
        }
        _log?.Invoke($"endpoint: #{request.Index} {call.Api} model {call.Model} stream {call.Stream} tools [{string.Join(", ", call.ToolNames)}] -> {kind}"
            + (tool is null ? "" : $" {tool.Name} {answer.ToolArguments}"));
        return reply;
    }

    private static async Task<string> ReadBodyAsync(Stream body, string encoding, CancellationToken cancel)
    {
        using var raw = new MemoryStream();
        await body.CopyToAsync(raw, cancel);
        raw.Position = 0;
        Stream decoded = encoding.Trim().ToLowerInvariant() switch
        {
            "gzip" => new GZipStream(raw, CompressionMode.Decompress),
            "deflate" => new ZLibStream(raw, CompressionMode.Decompress),
            "br" => new BrotliStream(raw, CompressionMode.Decompress),
            _ => raw,
        };
        using var reader = new StreamReader(decoded, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancel);
    }
}
