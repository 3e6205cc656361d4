using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Plugins.Llm;
using AgentSight.Tests.Agents;
using AgentSight.Tests.Analyzers.Http2.Wire;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentSight.Tests.Analyzers.Llm;

/// <summary>
/// Calls to a model over WebSocket, as the default chain reads them from the plaintext of a real exchange: .NET's
/// ClientWebSocket talks to Kestrel (permessage-deflate with context takeover both ways) through a recording relay.
/// The Responses API's WebSocket transport (Codex's <c>responses_websocket</c>: a warm-up, a tool call, its result, a
/// refused call) and a Realtime session (a tool call, a spoken answer, a response the server starts itself on
/// committed audio).
/// </summary>
public sealed class LlmOverWebSocketTests
{
    private const string ToolArguments = """{"command":"ls -la"}""";

    [Fact]
    public async Task Each_response_create_over_the_Responses_WebSocket_is_one_llm_event_with_its_answer()
    {
        await using var server = await ModelSocketServer.StartAsync();
        await using var relay = RecordingRelay.Start(server.Port);
        var tools = new JsonArray(new JsonObject { ["type"] = "function", ["name"] = "shell", ["parameters"] = new JsonObject { ["type"] = "object" } });
        using (var client = await ConnectAsync(relay, "/v1/responses"))
        {
            await client.SendJsonAsync(new JsonObject { ["type"] = "response.create", ["model"] = "gpt-5.1-codex", ["generate"] = false, ["input"] = new JsonArray(), ["tools"] = tools.DeepClone() });
            await client.ReceiveUntilAsync("response.completed");
            await client.SendJsonAsync(new JsonObject
            {
                ["type"] = "response.create", ["model"] = "gpt-5.1-codex", ["stream"] = true, ["instructions"] = "You are terse.",
                ["input"] = new JsonArray(UserText("list the files")), ["tools"] = tools.DeepClone(),
            });
            var toolCall = await client.ReceiveUntilAsync("response.completed");
            var callId = (string)toolCall["response"]!["output"]![0]!["call_id"]!;
            await client.SendJsonAsync(new JsonObject
            {
                ["type"] = "response.create", ["model"] = "gpt-5.1-codex", ["stream"] = true,
                ["input"] = new JsonArray(UserText("list the files"), new JsonObject { ["type"] = "function_call_output", ["call_id"] = callId, ["output"] = "a.txt b.txt" }),
            });
            await client.ReceiveUntilAsync("response.completed");
            await client.SendJsonAsync(new JsonObject { ["type"] = "response.create", ["model"] = "refuse-me", ["input"] = new JsonArray(UserText("again")) });
            await client.ReceiveUntilAsync("error");
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        var chain = AnalyzerChain.Default().Run(await relay.EventsAsync());

        var upgrade = chain.OfSource("http").Single().Fields!;
        var calls = chain.OfSource("llm").Select(e => e.Fields!).ToList();
        var because = string.Join('\n', calls.Select(c => c.ToJsonString()));
        Assert.Equal(4, calls.Count);
        Assert.All(calls, c =>
        {
            Assert.Equal("websocket", (string?)c["transport"]);
            Assert.Equal("responses", (string?)c["openai.api.type"]);
            Assert.Equal((string?)upgrade["exchange_id"], (string?)c["exchange_id"]);
            Assert.Equal("/v1/responses", (string?)c["url.path"]);
            Assert.True((bool)c["complete"]!, because);
        });
        Assert.Equal(server.ResponseIds, calls.Take(3).Select(c => (string?)c["gen_ai.response.id"]));

        var (warmUp, asked, answered, refused) = (calls[0], calls[1], calls[2], calls[3]);
        Assert.Equal(false, (bool?)warmUp["openai.request.generate"]);
        Assert.Equal((long)ModelSocketServer.Usage.InputTokens, (long?)warmUp["gen_ai.usage.input_tokens"]);

        Assert.Equal("gpt-5.1-codex", (string?)asked["gen_ai.request.model"]);
        Assert.Contains("You are terse.", asked["gen_ai.system_instructions"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("list the files", asked["gen_ai.input.messages"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("shell", (string?)asked["gen_ai.tool.definitions"]![0]!["name"]);
        var toolPart = asked["gen_ai.output.messages"]![0]!["parts"]![0]!;
        Assert.Equal(("tool_call", "shell", "ls -la"), ((string?)toolPart["type"], (string?)toolPart["name"], (string?)toolPart["arguments"]!["command"]));
        Assert.Equal((long)ModelSocketServer.Usage.OutputTokens, (long?)asked["gen_ai.usage.output_tokens"]);
        Assert.True((double)asked["time_to_first_token_ms"]! <= (double)asked["duration_ms"]!, because);

        Assert.Contains("a.txt b.txt", answered["gen_ai.input.messages"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("done: a.txt b.txt", answered["gen_ai.output.messages"]!.ToJsonString(), StringComparison.Ordinal);

        Assert.Equal("rate_limit_exceeded", (string?)refused["error.type"]);
        Assert.Equal("refuse-me", (string?)refused["gen_ai.request.model"]);
        var llm = chain.Context("llm");
        Assert.Equal(1, llm.CounterValue("websocket_connections"));
        Assert.Equal(1, llm.CounterValue("calls_failed"));
        Assert.Equal(0, llm.CounterValue("calls_incomplete"));

        // The calls hold what the messages said: the text messages stay out of the session, the close goes on.
        var messages = chain.OfSource("websocket").Select(PayloadJson.Of).ToList();
        Assert.Equal(["close", "close"], messages.Select(m => (string?)m["opcode"]));
        Assert.Equal(llm.CounterValue("websocket_messages_read"), chain.Context("http").CounterValue("websocket_messages") - 2);
    }

    [Fact]
    public async Task With_keep_messages_the_text_messages_go_on_before_the_call_they_made()
    {
        await using var server = await ModelSocketServer.StartAsync();
        await using var relay = RecordingRelay.Start(server.Port);
        using (var client = await ConnectAsync(relay, "/v1/responses"))
        {
            await client.SendJsonAsync(new JsonObject { ["type"] = "response.create", ["model"] = "gpt-5.1-codex", ["stream"] = true, ["input"] = new JsonArray(UserText("hi")) });
            await client.ReceiveUntilAsync("response.completed");
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        var chain = AnalyzerChain.Default(llm: new LlmAnalyzerConfig { KeepMessages = true }).Run(await relay.EventsAsync());

        var sources = chain.Output.Select(e => e.Source).Where(s => s is "websocket" or "llm").ToList();
        var call = sources.IndexOf("llm");
        Assert.True(call > 1, string.Join(' ', sources));
        var before = chain.Output.Where(e => e.Source == "websocket").Take(call).Select(PayloadJson.Of).ToList();
        Assert.Equal("response.create", (string?)JsonNode.Parse((string)before[0]["text"]!)!["type"]);
        Assert.Equal("response.completed", (string?)JsonNode.Parse((string)before[^1]["text"]!)!["type"]);
    }

    [Fact]
    public async Task A_Realtime_session_gives_one_llm_event_per_response_with_its_input_tools_and_usage()
    {
        await using var server = await ModelSocketServer.StartAsync();
        await using var relay = RecordingRelay.Start(server.Port);
        using (var client = await ConnectAsync(relay, "/v1/realtime?model=gpt-realtime"))
        {
            await client.ReceiveUntilAsync("session.created");
            await client.SendJsonAsync(new JsonObject
            {
                ["type"] = "session.update",
                ["session"] = new JsonObject
                {
                    ["type"] = "realtime", ["instructions"] = "Speak briefly.",
                    ["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["name"] = "get_weather", ["parameters"] = new JsonObject { ["type"] = "object" } }),
                },
            });
            await client.SendJsonAsync(new JsonObject { ["type"] = "conversation.item.create", ["item"] = new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = "Weather in Paris?" }) } });
            await client.SendJsonAsync(new JsonObject { ["type"] = "response.create", ["event_id"] = "evt_client_1" });
            var toolCall = await client.ReceiveUntilAsync("response.done");
            var callId = (string)toolCall["response"]!["output"]![0]!["call_id"]!;
            await client.SendJsonAsync(new JsonObject { ["type"] = "conversation.item.create", ["item"] = new JsonObject { ["type"] = "function_call_output", ["call_id"] = callId, ["output"] = "18 C, cloudy" } });
            await client.SendJsonAsync(new JsonObject { ["type"] = "response.create" });
            await client.ReceiveUntilAsync("response.done");
            // Spoken input: bulk audio, committed; the server transcribes it and answers on its own.
            await client.SendJsonAsync(new JsonObject { ["type"] = "input_audio_buffer.append", ["audio"] = Convert.ToBase64String(new byte[48_000]) });
            await client.SendJsonAsync(new JsonObject { ["type"] = "input_audio_buffer.commit" });
            await client.ReceiveUntilAsync("response.done");
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        var chain = AnalyzerChain.Default().Run(await relay.EventsAsync());

        var calls = chain.OfSource("llm").Select(e => e.Fields!).ToList();
        var because = string.Join('\n', calls.Select(c => c.ToJsonString()));
        Assert.Equal(3, calls.Count);
        Assert.Equal(server.ResponseIds, calls.Select(c => (string?)c["gen_ai.response.id"]));
        Assert.All(calls, c =>
        {
            Assert.Equal("realtime", (string?)c["openai.api.type"]);
            Assert.Equal("gpt-realtime", (string?)c["gen_ai.request.model"]);
            Assert.True((bool)c["complete"]!, because);
            Assert.Equal((long)ModelSocketServer.Usage.InputTokens, (long?)c["gen_ai.usage.input_tokens"]);
            Assert.Equal((long)ModelSocketServer.Usage.OutputTokens, (long?)c["gen_ai.usage.output_tokens"]);
            Assert.Equal((long)ModelSocketServer.CachedTokens, (long?)c["gen_ai.usage.cache_read.input_tokens"]);
            Assert.Contains("Speak briefly.", c["gen_ai.system_instructions"]!.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal("get_weather", (string?)c["gen_ai.tool.definitions"]![0]!["name"]);
        });
        Assert.Contains("Weather in Paris?", calls[0]["gen_ai.input.messages"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("\"name\":\"get_weather\"", calls[0]["gen_ai.output.messages"]!.ToJsonString(), StringComparison.Ordinal);
        // Each response's input is what was added since the previous one.
        Assert.DoesNotContain("Weather in Paris?", calls[1]["gen_ai.input.messages"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("18 C, cloudy", calls[1]["gen_ai.input.messages"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(ModelSocketServer.SpokenAnswer, calls[1]["gen_ai.output.messages"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(ModelSocketServer.Transcript, calls[2]["gen_ai.input.messages"]!.ToJsonString(), StringComparison.Ordinal);
        // Audio never goes into a call.
        Assert.All(calls, c => Assert.DoesNotContain("AAAAAAAAAAAAAAAA", c.ToJsonString(), StringComparison.Ordinal));
        Assert.Equal(0, chain.Context("llm").CounterValue("websocket_messages_unreadable"));
    }

    [Fact]
    public async Task A_call_cut_by_the_close_of_its_connection_is_an_incomplete_llm_event()
    {
        await using var server = await ModelSocketServer.StartAsync();
        await using var relay = RecordingRelay.Start(server.Port);
        using (var client = await ConnectAsync(relay, "/v1/responses"))
        {
            await client.SendJsonAsync(new JsonObject { ["type"] = "response.create", ["model"] = "hang-up", ["input"] = new JsonArray(UserText("hello")) });
            await client.ReceiveUntilAsync("response.created");
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "changed my mind", CancellationToken.None);
        }

        var chain = AnalyzerChain.Default().Run(await relay.EventsAsync());

        var call = Assert.Single(chain.OfSource("llm")).Fields!;
        Assert.False((bool)call["complete"]!);
        Assert.Equal(server.ResponseIds.Single(), (string?)call["gen_ai.response.id"]);
        Assert.Equal(1, chain.Context("llm").CounterValue("calls_incomplete"));
    }

    /// <summary>
    /// Secrets in the upgrade's headers and inside compressed messages (an API key in a Realtime session's settings, a
    /// token in a prompt, JSON-escaped) are redacted in the websocket events and in the llm events built from them.
    /// </summary>
    [Fact]
    public async Task Secrets_in_WebSocket_messages_and_the_calls_built_from_them_are_redacted()
    {
        const string Key = "sk-proj-Ws7kQ2mN9pX4vR8tY3uZ6aB1cD5eF0gH2jK4lM7nP9qS";
        const string Token = "ghp_R2d2C3poBb8yXw0Zk9Lm4Nq7Tv1Sr6Ju5Ha3";
        await using var server = await ModelSocketServer.StartAsync();
        await using var relay = RecordingRelay.Start(server.Port);
        using (var client = await ConnectAsync(relay, "/v1/realtime?model=gpt-realtime"))
        {
            await client.ReceiveUntilAsync("session.created");
            await client.SendJsonAsync(new JsonObject { ["type"] = "session.update", ["session"] = new JsonObject { ["instructions"] = "Use the key " + Key + " for tools.", ["api_key"] = Key } });
            await client.SendJsonAsync(new JsonObject { ["type"] = "conversation.item.create", ["item"] = new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = $"export GITHUB_TOKEN=\"{Token}\"\nthen push" }) } });
            await client.SendJsonAsync(new JsonObject { ["type"] = "response.create" });
            await client.ReceiveUntilAsync("response.done");
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        var chain = AnalyzerChain.Default(llm: new LlmAnalyzerConfig { KeepMessages = true }).Add("redact", ctx => new AgentSight.Plugins.Redact.RedactFactory().Create(new AgentSight.Plugins.Redact.RedactConfig(), ctx))
            .Run(await relay.EventsAsync());

        Assert.Single(chain.OfSource("llm"));
        Assert.Contains(chain.Output, e => e.Source == "websocket" && PayloadJson.Of(e)["text"]!.ToString().Contains("session.update", StringComparison.Ordinal));
        foreach (var evt in chain.Output.Where(e => e.Source is "websocket" or "llm" or "http"))
        {
            var text = PayloadJson.Of(evt).ToJsonString();
            Assert.DoesNotContain(Key[3..20], text, StringComparison.Ordinal);
            Assert.DoesNotContain(Token[4..20], text, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-ws-test-key", text, StringComparison.Ordinal);
        }
    }

    private static JsonObject UserText(string text) =>
        new() { ["type"] = "message", ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = text }) };

    private static async Task<ClientWebSocket> ConnectAsync(RecordingRelay relay, string path)
    {
        var client = new ClientWebSocket();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = true, ServerContextTakeover = true };
        client.Options.SetRequestHeader("Authorization", "Bearer sk-ws-test-key-000000000000000000000000");
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{relay.Port}{path}"), CancellationToken.None);
        return client;
    }

    /// <summary>Kestrel on 127.0.0.1 speaking the Responses API's WebSocket transport and a scripted Realtime session.</summary>
    private sealed class ModelSocketServer : IAsyncDisposable
    {
        public const string SpokenAnswer = "It is eighteen degrees and cloudy in Paris.";
        public const string Transcript = "and tomorrow?";
        public const int CachedTokens = 40;
        public static readonly TokenUsage Usage = new(321, 45);

        private readonly WebApplication _app;
        private readonly List<string> _responseIds = [];

        private ModelSocketServer(WebApplication app) => _app = app;

        public int Port => new Uri(_app.Urls.Single()).Port;

        /// <summary>The ids of the responses answered, in order.</summary>
        public IReadOnlyList<string> ResponseIds
        {
            get
            {
                lock (_responseIds)
                {
                    return [.. _responseIds];
                }
            }
        }

        public static async Task<ModelSocketServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var server = new ModelSocketServer(app);
            app.UseWebSockets();
            app.Run(server.ServeAsync);
            await app.StartAsync();
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        private string NewResponseId()
        {
            var id = WireIds.ResponsesResponse();
            lock (_responseIds)
            {
                _responseIds.Add(id);
            }
            return id;
        }

        private async Task ServeAsync(HttpContext context)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = true });
            if (context.Request.Path.Value!.EndsWith("/realtime", StringComparison.Ordinal))
            {
                await RealtimeAsync(socket);
            }
            else
            {
                await ResponsesAsync(socket);
            }
        }

        private async Task ResponsesAsync(System.Net.WebSockets.WebSocket socket)
        {
            while (await socket.ReceiveJsonAsync() is { } request)
            {
                var model = (string?)request["model"] ?? "";
                if (model == "refuse-me")
                {
                    await socket.SendJsonAsync(new JsonObject { ["type"] = "error", ["status"] = 429, ["error"] = new JsonObject { ["type"] = "rate_limit_exceeded", ["code"] = "rate_limit_exceeded", ["message"] = "slow down" } });
                    continue;
                }
                var id = NewResponseId();
                if (model == "hang-up")
                {
                    await socket.SendJsonAsync(new JsonObject { ["type"] = "response.created", ["response"] = new JsonObject { ["id"] = id, ["object"] = "response", ["status"] = "in_progress" } });
                    continue;
                }
                var result = (request["input"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(i => (string?)i["type"] == "function_call_output");
                var kind = request["generate"] is JsonValue generate && !generate.GetValue<bool>() ? AnswerKind.Prewarm
                    : result is not null ? AnswerKind.FinalText : AnswerKind.ToolCall;
                var reply = new ScriptedReply(kind, model, result is null ? "" : "done: " + (string?)result["output"],
                    kind == AnswerKind.ToolCall ? new ShellTool("shell", false, null) : null, kind == AnswerKind.ToolCall ? WireIds.OpenAiCall() : null,
                    kind == AnswerKind.ToolCall ? (JsonObject)JsonNode.Parse(ToolArguments)! : null, Usage, id);
                await OpenAiResponsesWire.StreamAsync(reply, 1_800_000_000, (_, payload) => socket.SendJsonAsync(payload));
            }
        }

        private async Task RealtimeAsync(System.Net.WebSockets.WebSocket socket)
        {
            await socket.SendJsonAsync(new JsonObject { ["type"] = "session.created", ["session"] = new JsonObject { ["id"] = "sess_1", ["model"] = "gpt-realtime", ["instructions"] = "" } });
            var responses = 0;
            while (await socket.ReceiveJsonAsync() is { } message)
            {
                switch ((string?)message["type"])
                {
                    case "conversation.item.create":
                        var item = (JsonObject)message["item"]!.DeepClone();
                        item["id"] = "item_" + WireIds.Hex(8);
                        await socket.SendJsonAsync(new JsonObject { ["type"] = "conversation.item.added", ["item"] = item });
                        break;
                    case "response.create":
                        await RespondAsync(socket, responses++ == 0
                            ? new JsonObject { ["type"] = "function_call", ["id"] = "item_fc", ["call_id"] = WireIds.OpenAiCall(), ["name"] = "get_weather", ["arguments"] = """{"city":"Paris"}""", ["status"] = "completed" }
                            : new JsonObject { ["type"] = "message", ["id"] = "item_msg", ["role"] = "assistant", ["status"] = "completed", ["content"] = new JsonArray(new JsonObject { ["type"] = "output_audio", ["transcript"] = SpokenAnswer }) });
                        break;
                    case "input_audio_buffer.commit":
                        var spoken = new JsonObject { ["type"] = "message", ["id"] = "item_spoken", ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "input_audio", ["transcript"] = null }) };
                        await socket.SendJsonAsync(new JsonObject { ["type"] = "input_audio_buffer.committed", ["item_id"] = "item_spoken" });
                        await socket.SendJsonAsync(new JsonObject { ["type"] = "conversation.item.added", ["item"] = spoken });
                        await socket.SendJsonAsync(new JsonObject { ["type"] = "conversation.item.input_audio_transcription.completed", ["item_id"] = "item_spoken", ["content_index"] = 0, ["transcript"] = Transcript });
                        await RespondAsync(socket, new JsonObject { ["type"] = "message", ["id"] = "item_msg2", ["role"] = "assistant", ["status"] = "completed", ["content"] = new JsonArray(new JsonObject { ["type"] = "output_audio", ["transcript"] = "Rain tomorrow." }) });
                        break;
                }
            }
        }

        private async Task RespondAsync(System.Net.WebSockets.WebSocket socket, JsonObject item)
        {
            var id = NewResponseId();
            await socket.SendJsonAsync(new JsonObject { ["type"] = "response.created", ["response"] = new JsonObject { ["id"] = id, ["object"] = "realtime.response", ["status"] = "in_progress", ["output"] = new JsonArray() } });
            await socket.SendJsonAsync(new JsonObject { ["type"] = "response.output_item.added", ["response_id"] = id, ["output_index"] = 0, ["item"] = item.DeepClone() });
            if ((string?)item["type"] == "message")
            {
                await socket.SendJsonAsync(new JsonObject { ["type"] = "response.output_audio.delta", ["response_id"] = id, ["delta"] = Convert.ToBase64String(new byte[9_000]) });
                await socket.SendJsonAsync(new JsonObject { ["type"] = "response.output_audio_transcript.delta", ["response_id"] = id, ["delta"] = (string?)item["content"]![0]!["transcript"] });
            }
            await socket.SendJsonAsync(new JsonObject { ["type"] = "response.output_item.done", ["response_id"] = id, ["output_index"] = 0, ["item"] = item.DeepClone() });
            await socket.SendJsonAsync(new JsonObject
            {
                ["type"] = "response.done",
                ["response"] = new JsonObject
                {
                    ["id"] = id, ["object"] = "realtime.response", ["status"] = "completed", ["output"] = new JsonArray(item.DeepClone()),
                    ["usage"] = new JsonObject
                    {
                        ["total_tokens"] = Usage.InputTokens + Usage.OutputTokens, ["input_tokens"] = Usage.InputTokens, ["output_tokens"] = Usage.OutputTokens,
                        ["input_token_details"] = new JsonObject { ["cached_tokens"] = CachedTokens, ["text_tokens"] = Usage.InputTokens, ["audio_tokens"] = 0 },
                        ["output_token_details"] = new JsonObject { ["text_tokens"] = 10, ["audio_tokens"] = Usage.OutputTokens - 10 },
                    },
                },
            });
        }
    }
}

/// <summary>JSON text messages over a WebSocket, for the tests above.</summary>
internal static class JsonSocket
{
    public static Task SendJsonAsync(this System.Net.WebSockets.WebSocket socket, JsonObject message) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>The next text message parsed, or null once the other side closed.</summary>
    public static async Task<JsonObject?> ReceiveJsonAsync(this System.Net.WebSockets.WebSocket socket)
    {
        using var text = new MemoryStream();
        var buffer = new byte[16 * 1024];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                }
                return null;
            }
            text.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return JsonNode.Parse(text.ToArray()) as JsonObject;
    }

    /// <summary>Reads messages until one of <paramref name="type"/>; returns it.</summary>
    public static async Task<JsonObject> ReceiveUntilAsync(this System.Net.WebSockets.WebSocket socket, string type)
    {
        while (true)
        {
            var message = await socket.ReceiveJsonAsync().WaitAsync(TimeSpan.FromSeconds(20)) ?? throw new InvalidOperationException($"closed before {type}");
            if ((string?)message["type"] == type)
            {
                return message;
            }
        }
    }
}
