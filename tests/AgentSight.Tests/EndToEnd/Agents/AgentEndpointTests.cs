using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace AgentSight.Tests.Agents;

/// <summary>
/// <see cref="AgentEndpoint"/> on its own, with .NET's HttpClient trusting only the endpoint's CA: the provider wire
/// formats (event names, fields, terminators, usage), the scripted tool round trip, and HTTP/1.1 only.
/// </summary>
public sealed class AgentEndpointTests
{
    private static readonly JsonObject CommandSchema = new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject { ["command"] = new JsonObject { ["type"] = "string" }, ["description"] = new JsonObject { ["type"] = "string" } },
        ["required"] = new JsonArray("command"),
    };

    [Fact]
    public async Task The_tool_command_prints_the_marker_that_the_command_line_does_not_contain()
    {
        await using var endpoint = await AgentEndpoint.StartAsync();
        Assert.DoesNotContain(endpoint.ToolOutputMarker, endpoint.ToolCommand, StringComparison.Ordinal);

        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(endpoint.ToolCommand);
        using var process = Process.Start(start)!;
        var printed = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(endpoint.ToolOutputMarker + "\n", printed);
    }

    [Fact]
    public async Task Anthropic_answers_a_Bash_call_first_and_the_final_text_once_the_tool_result_comes_back()
    {
        await using var endpoint = await AgentEndpoint.StartAsync();
        using var client = Client(endpoint);
        var first = new JsonObject
        {
            ["model"] = "claude-test-1",
            ["max_tokens"] = 100,
            ["stream"] = true,
            ["tools"] = new JsonArray(new JsonObject { ["name"] = "Read", ["input_schema"] = CommandSchema.DeepClone() }, new JsonObject { ["name"] = "Bash", ["input_schema"] = CommandSchema.DeepClone() }),
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "go" }),
        };

        var (response, events) = await PostSseAsync(client, endpoint, "/v1/messages?beta=true", first);

        Assert.Equal("text/event-stream; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(
            ["message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
             "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
             "message_delta", "message_stop"],
            events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal(e.Name, (string?)e.Data!["type"]));
        Assert.Equal("claude-test-1", (string?)events[0].Data!["message"]!["model"]);
        var toolUse = events[7].Data!["content_block"]!;
        Assert.Equal(("tool_use", "Bash"), ((string?)toolUse["type"], (string?)toolUse["name"]));
        var input = JsonNode.Parse(string.Concat(events.Where(e => (string?)e.Data!["delta"]?["type"] == "input_json_delta").Select(e => (string?)e.Data!["delta"]!["partial_json"])))!;
        Assert.Equal(endpoint.ToolCommand, (string?)input["command"]);
        Assert.Equal("tool_use", (string?)events[^2].Data!["delta"]!["stop_reason"]);
        Assert.Equal(AgentEndpoint.ToolCallUsage.OutputTokens, (int)events[^2].Data!["usage"]!["output_tokens"]!);
        Assert.Equal(AgentEndpoint.ToolCallUsage.InputTokens, (int)events[0].Data!["message"]!["usage"]!["input_tokens"]!);

        var second = (JsonObject)first.DeepClone();
        second["messages"]!.AsArray().Add(new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_use", ["id"] = (string?)toolUse["id"], ["name"] = "Bash", ["input"] = input.DeepClone() }),
        });
        second["messages"]!.AsArray().Add(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = (string?)toolUse["id"], ["content"] = endpoint.ToolOutputMarker }),
        });
        var (_, final) = await PostSseAsync(client, endpoint, "/v1/messages?beta=true", second);

        var text = string.Concat(final.Where(e => (string?)e.Data!["delta"]?["type"] == "text_delta").Select(e => (string?)e.Data!["delta"]!["text"]));
        Assert.Contains(endpoint.FinalMarker, text, StringComparison.Ordinal);
        Assert.Contains("claude-test-1", text, StringComparison.Ordinal);
        Assert.Equal("end_turn", (string?)final[^2].Data!["delta"]!["stop_reason"]);
        Assert.Equal([AnswerKind.ToolCall, AnswerKind.FinalText], endpoint.Answers.Select(a => a.Kind));
        Assert.Equal(endpoint.ToolOutputMarker, endpoint.Answers[1].ToolResult);
        Assert.Equal(AgentEndpoint.FinalUsage, endpoint.Answers[1].Usage);
    }

    [Fact]
    public async Task Responses_streams_a_function_call_with_sequence_numbers_and_completes_with_usage_and_no_DONE()
    {
        await using var endpoint = await AgentEndpoint.StartAsync();
        using var client = Client(endpoint);
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["cmd"] = new JsonObject { ["type"] = "string" }, ["justification"] = new JsonObject { ["type"] = "string" } },
            ["required"] = new JsonArray("cmd"),
        };
        var request = new JsonObject
        {
            ["model"] = "gpt-test",
            ["stream"] = true,
            ["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["name"] = "exec_command", ["parameters"] = schema }),
            ["input"] = new JsonArray(new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = "go" }) }),
        };

        var (_, events) = await PostSseAsync(client, endpoint, "/v1/responses", request);

        Assert.Equal("response.created", events[0].Name);
        Assert.Equal("response.completed", events[^1].Name);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => (int)e.Data!["sequence_number"]!));
        Assert.All(events, e => Assert.Equal(e.Name, (string?)e.Data!["type"]));
        var call = events.Single(e => e.Name == "response.output_item.done").Data!["item"]!;
        Assert.Equal(("function_call", "exec_command"), ((string?)call["type"], (string?)call["name"]));
        // Only cmd: Codex refuses a justification without sandbox_permissions.
        Assert.Equal(new JsonObject { ["cmd"] = endpoint.ToolCommand }.ToJsonString(), JsonNode.Parse((string)call["arguments"]!)!.ToJsonString());
        var completed = events[^1].Data!["response"]!;
        Assert.Equal(("completed", "gpt-test"), ((string?)completed["status"], (string?)completed["model"]));
        Assert.Equal(AgentEndpoint.ToolCallUsage.TotalTokens, (int)completed["usage"]!["total_tokens"]!);

        request["input"]!.AsArray().Add(new JsonObject { ["type"] = "function_call", ["call_id"] = (string?)call["call_id"], ["name"] = "exec_command", ["arguments"] = (string?)call["arguments"] });
        request["input"]!.AsArray().Add(new JsonObject { ["type"] = "function_call_output", ["call_id"] = (string?)call["call_id"], ["output"] = "Output:\n" + endpoint.ToolOutputMarker });
        var (_, final) = await PostSseAsync(client, endpoint, "/v1/responses", request);

        var text = string.Concat(final.Where(e => e.Name == "response.output_text.delta").Select(e => (string?)e.Data!["delta"]));
        Assert.Contains(endpoint.FinalMarker, text, StringComparison.Ordinal);
        Assert.Equal(text, (string?)final.Single(e => e.Name == "response.output_text.done").Data!["text"]);
        Assert.Equal(AgentEndpoint.FinalUsage.OutputTokens, (int)final[^1].Data!["response"]!["usage"]!["output_tokens"]!);
    }

    [Fact]
    public async Task Chat_completions_streams_tool_call_fragments_then_a_usage_chunk_and_DONE()
    {
        await using var endpoint = await AgentEndpoint.StartAsync();
        using var client = Client(endpoint);
        var request = new JsonObject
        {
            ["model"] = "gpt-test",
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
            ["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "bash", ["parameters"] = CommandSchema.DeepClone() } }),
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "go" }),
        };

        var (_, events) = await PostSseAsync(client, endpoint, "/v1/chat/completions", request);

        Assert.All(events, e => Assert.Null(e.Name));
        Assert.Equal("[DONE]", events[^1].Raw);
        var chunks = events.SkipLast(1).Select(e => e.Data!).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string?)c["object"]));
        Assert.Equal("bash", (string?)chunks[0]["choices"]![0]!["delta"]!["tool_calls"]![0]!["function"]!["name"]);
        var arguments = string.Concat(chunks.Select(c => (string?)c["choices"]?.AsArray().FirstOrDefault()?["delta"]?["tool_calls"]?[0]?["function"]?["arguments"]));
        Assert.Equal(endpoint.ToolCommand, (string?)JsonNode.Parse(arguments)!["command"]);
        Assert.Equal("tool_calls", (string?)chunks[^2]["choices"]![0]!["finish_reason"]);
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
        Assert.Equal(AgentEndpoint.ToolCallUsage.InputTokens, (int)chunks[^1]["usage"]!["prompt_tokens"]!);
        Assert.All(chunks.SkipLast(1), c => Assert.Null(c["usage"]));

        request["messages"]!.AsArray().Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = endpoint.ToolOutputMarker });
        request.Remove("stream_options");
        var (_, final) = await PostSseAsync(client, endpoint, "/v1/chat/completions", request);

        Assert.Equal("[DONE]", final[^1].Raw);
        Assert.DoesNotContain(final.SkipLast(1), e => e.Data!.AsObject().ContainsKey("usage"));
        var text = string.Concat(final.SkipLast(1).Select(e => (string?)e.Data!["choices"]![0]!["delta"]!["content"]));
        Assert.Contains(endpoint.FinalMarker, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gemini_streams_a_function_call_over_CRLF_SSE_and_answers_a_routing_call_in_its_schema()
    {
        await using var endpoint = await AgentEndpoint.StartAsync();
        using var client = Client(endpoint);
        var routing = new JsonObject
        {
            ["contents"] = new JsonArray(new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(new JsonObject { ["text"] = "classify" }) }),
            ["generationConfig"] = new JsonObject
            {
                ["responseMimeType"] = "application/json",
                ["responseJsonSchema"] = new JsonObject
                {
                    ["type"] = "OBJECT",
                    ["properties"] = new JsonObject { ["reasoning"] = new JsonObject { ["type"] = "STRING" }, ["score"] = new JsonObject { ["type"] = "INTEGER" } },
                },
            },
        };

        using var routed = await client.PostAsync($"{endpoint.BaseUrl}/v1beta/models/gemini-small:generateContent", Json(routing));
        var answer = JsonNode.Parse(await routed.Content.ReadAsStringAsync())!;
        var routingText = (string)answer["candidates"]![0]!["content"]!["parts"]![0]!["text"]!;
        Assert.Equal(1, (int)JsonNode.Parse(routingText)!["score"]!);
        Assert.Equal("gemini-small", (string?)answer["modelVersion"]);

        var request = new JsonObject
        {
            ["contents"] = new JsonArray(new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(new JsonObject { ["text"] = "go" }) }),
            ["tools"] = new JsonArray(new JsonObject
            {
                ["functionDeclarations"] = new JsonArray(new JsonObject { ["name"] = "run_shell_command", ["parametersJsonSchema"] = CommandSchema.DeepClone() }),
            }),
        };
        using var streamed = await client.PostAsync($"{endpoint.BaseUrl}/v1beta/models/gemini-big:streamGenerateContent?alt=sse", Json(request));
        var body = await streamed.Content.ReadAsStringAsync();

        Assert.StartsWith("data: {", body, StringComparison.Ordinal);
        Assert.EndsWith("}\r\n\r\n", body, StringComparison.Ordinal);
        var chunk = JsonNode.Parse(body["data: ".Length..].Trim())!;
        var call = chunk["candidates"]![0]!["content"]!["parts"]![0]!["functionCall"]!;
        Assert.Equal(("run_shell_command", endpoint.ToolCommand), ((string?)call["name"], (string?)call["args"]!["command"]));
        Assert.Equal(("STOP", "gemini-big"), ((string?)chunk["candidates"]![0]!["finishReason"], (string?)chunk["modelVersion"]));
        Assert.Equal(AgentEndpoint.ToolCallUsage.TotalTokens, (int)chunk["usageMetadata"]!["totalTokenCount"]!);
        Assert.Equal([AnswerKind.SideAnswer, AnswerKind.ToolCall], endpoint.Answers.Select(a => a.Kind));
    }

    [Fact]
    public async Task A_client_that_offers_h2_gets_HTTP_1_1_and_the_offer_is_recorded()
    {
        await using var endpoint = await AgentEndpoint.StartAsync();
        using var client = Client(endpoint);
        using var request = new HttpRequestMessage(HttpMethod.Head, endpoint.BaseUrl + "/")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };

        using var response = await client.SendAsync(request);

        Assert.Equal((HttpStatusCode.OK, HttpVersion.Version11), (response.StatusCode, response.Version));
        var recorded = Assert.Single(endpoint.Requests);
        Assert.Equal(["h2", "http/1.1"], recorded.OfferedAlpn);
        Assert.Equal(("http/1.1", "HTTP/1.1", "HEAD"), (recorded.Alpn, recorded.Protocol, recorded.Method));
    }

    [Fact]
    public async Task Token_counting_and_unknown_paths_get_harmless_answers()
    {
        await using var endpoint = await AgentEndpoint.StartAsync();
        using var client = Client(endpoint);

        using var counted = await client.PostAsync(endpoint.BaseUrl + "/v1/messages/count_tokens", Json(new JsonObject { ["model"] = "m", ["messages"] = new JsonArray() }));
        using var missing = await client.GetAsync(endpoint.BaseUrl + "/api/oauth/profile");

        Assert.Equal(AgentEndpoint.SideUsage.InputTokens, (int)JsonNode.Parse(await counted.Content.ReadAsStringAsync())!["input_tokens"]!);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("not_found_error", (string?)JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["error"]!["type"]);
        Assert.Empty(endpoint.Answers);
        Assert.Equal(2, endpoint.Requests.Count);
    }

    [Fact]
    public async Task The_CA_file_is_a_CA_that_signed_the_server_certificate_for_127_0_0_1_and_localhost()
    {
        await using var endpoint = await AgentEndpoint.StartAsync();
        using var ca = X509CertificateLoader.LoadCertificateFromFile(endpoint.CaCertificatePath);
        var server = endpoint.CertificateAuthority.ServerCertificate;

        var constraints = Assert.Single(ca.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(constraints.CertificateAuthority && constraints.Critical);
        Assert.Equal(ca.Subject, server.Issuer);
        var names = Assert.Single(server.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["localhost"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback], names.EnumerateIPAddresses());
    }

    private sealed record SseEvent(string? Name, string Raw, JsonNode? Data);

    private static HttpClient Client(AgentEndpoint endpoint)
    {
        var ca = endpoint.CertificateAuthority.CaCertificate;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None || certificate is not X509Certificate2 leaf)
            {
                return false;
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(leaf);
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static async Task<(HttpResponseMessage Response, List<SseEvent> Events)> PostSseAsync(HttpClient client, AgentEndpoint endpoint, string path, JsonNode body)
    {
        var response = await client.PostAsync(endpoint.BaseUrl + path, Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = (await response.Content.ReadAsStringAsync()).Replace("\r\n", "\n", StringComparison.Ordinal);
        var events = new List<SseEvent>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new StringBuilder();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line["data: ".Length..]);
                }
            }
            var raw = data.ToString();
            events.Add(new SseEvent(name, raw, raw == "[DONE]" ? null : JsonNode.Parse(raw)));
        }
        return (response, events);
    }
}
