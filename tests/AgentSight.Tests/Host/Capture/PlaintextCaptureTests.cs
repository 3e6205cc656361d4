using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentSight.Tests.Agents;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>
/// Live capture of what no TLS library carries: plaintext sockets (a local model server over plain HTTP) and stdio (an
/// MCP server started by the official SDK's client), recorded with <c>record --</c> through the default pipeline.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed partial class PlaintextCaptureTests
{
    private const string Model = "local-llama-3";

    [Fact]
    public async Task Curl_to_a_plain_HTTP_model_server_on_localhost_gives_socket_http_and_llm_events()
    {
        using var recorder = Recorder.Create();
        await using var endpoint = await AgentEndpoint.StartAsync(recorder.Folder.Combine("endpoint"), transport: EndpointTransport.PlainHttp);
        var body = $$"""{"model":"{{Model}}","messages":[{"role":"user","content":"say hello"}]}""";

        // The raw socket events kept beside the parsed ones.
        var (code, events, explain) = await RecordAsync(recorder, ["--set", "http.keep_raw=true"],
            "curl", "-sS", "-H", "content-type: application/json", "-d", body, endpoint.BaseUrl + "/v1/chat/completions");

        Assert.True(code == 0, explain + endpoint.Describe());
        var sockets = events.Where(e => e.Source == "socket").ToList();
        Assert.Contains(sockets, e => e.IsWrite && e.Text!.StartsWith("POST /v1/chat/completions HTTP/1.1\r\n", StringComparison.Ordinal));
        Assert.Contains(sockets, e => e.IsRead && e.Text!.StartsWith("HTTP/1.1 200", StringComparison.Ordinal));
        Assert.All(sockets, e => Assert.Equal("socket", (string?)e.Data["lib"]));
        Assert.All(sockets, e => Assert.True((int?)e.Data["fd"] >= 0, e.ToString()));
        Assert.Single(sockets.Select(e => e.Connection).Distinct());
        Assert.DoesNotContain(events, e => e.IsSsl);

        var http = Assert.Single(events, e => e.Source == "http");
        Assert.Equal("/v1/chat/completions", (string?)http.Data["request"]!["path"]);
        var llm = Assert.Single(events, e => e.Source == "llm");
        var answer = Assert.Single(endpoint.Answers);
        Assert.Equal(Model, (string?)llm.Data["gen_ai.request.model"]);
        Assert.Equal(answer.ResponseId, (string?)llm.Data["gen_ai.response.id"]);
    }

    [Fact]
    public async Task The_openai_npm_client_streaming_from_a_plain_HTTP_server_gives_an_llm_event()
    {
        await NodeFixture.EnsureInstalledAsync();
        using var recorder = Recorder.Create();
        await using var endpoint = await AgentEndpoint.StartAsync(recorder.Folder.Combine("endpoint"), transport: EndpointTransport.PlainHttp);

        var (code, events, explain) = await RecordAsync(recorder, [], NodeFixture.Node, NodeFixture.OpenAiChatScript, endpoint.BaseUrl + "/v1", Model);

        Assert.True(code == 0, explain + endpoint.Describe());
        var answer = Assert.Single(endpoint.Answers);
        var llm = Assert.Single(events, e => e.Source == "llm");
        Assert.Equal(Model, (string?)llm.Data["gen_ai.request.model"]);
        Assert.Equal(answer.ResponseId, (string?)llm.Data["gen_ai.response.id"]);
        Assert.Contains(answer.Text!, llm.Data["gen_ai.output.messages"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.IsSsl);
    }

    /// <summary>Ollama's <c>/api/chat</c>: a chunked NDJSON stream, one JSON object per line, the last with the usage.</summary>
    private const string OllamaServer = """
        import http.server, json
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                lines = [{"model": body["model"], "message": {"role": "assistant", "content": w}, "done": False} for w in ["Hello", " from", " ollama"]]
                lines.append({"model": body["model"], "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop", "prompt_eval_count": 12, "eval_count": 3})
                for line in lines:
                    data = (json.dumps(line) + "\n").encode()
                    self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """;

    [Fact]
    public async Task An_Ollama_chat_streamed_as_NDJSON_over_plain_HTTP_is_an_llm_event()
    {
        using var recorder = Recorder.Create();
        var script = recorder.Folder.Combine("ollama.py");
        await File.WriteAllTextAsync(script, OllamaServer);
        // Outside the recording, as a model server is.
        using var server = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("python3", [script]) { RedirectStandardOutput = true })!;
        try
        {
            var port = int.Parse((await server.StandardOutput.ReadLineAsync())!, System.Globalization.CultureInfo.InvariantCulture);

            var (code, events, explain) = await RecordAsync(recorder, [],
                "curl", "-sS", $"http://127.0.0.1:{port}/api/chat", "-d", $$"""{"model":"{{Model}}","messages":[{"role":"user","content":"hi"}]}""");

            Assert.True(code == 0, explain);
            var llm = Assert.Single(events, e => e.Source == "llm");
            Assert.Equal("ollama", (string?)llm.Data["gen_ai.provider.name"]);
            Assert.Equal(Model, (string?)llm.Data["gen_ai.request.model"]);
            Assert.Contains("Hello from ollama", llm.Data["gen_ai.output.messages"]!.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal(3, (int?)llm.Data["gen_ai.usage.output_tokens"]);
            Assert.True((bool?)llm.Data["streaming"], explain);
        }
        finally
        {
            server.Kill();
        }
    }

    [Fact]
    public async Task An_HTTPS_call_is_captured_by_the_TLS_probes_only_never_twice()
    {
        using var recorder = Recorder.Create();
        await using var endpoint = await AgentEndpoint.StartAsync(recorder.Folder.Combine("endpoint"));
        var body = $$"""{"model":"{{Model}}","messages":[{"role":"user","content":"say hello"}]}""";

        var (code, events, explain) = await RecordAsync(recorder, ["--set", "http.keep_raw=true"],
            "curl", "-sS", "--cacert", endpoint.CaCertificatePath, "-H", "content-type: application/json", "-d", body, endpoint.BaseUrl + "/v1/chat/completions");

        Assert.True(code == 0, explain + endpoint.Describe());
        Assert.Contains(events, e => e.IsSsl && e.IsWrite);
        Assert.DoesNotContain(events, e => e.Source == "socket");
        Assert.Single(events, e => e.Source == "http");
        Assert.Single(events, e => e.Source == "llm");
        // The socket's TLS records were seen and left alone, and the summary says so.
        Assert.Matches(TlsSkipped(), explain);
    }

    [Fact]
    public async Task An_MCP_server_started_by_the_SDK_client_gives_its_JSON_RPC_lines_as_stdio_events_and_each_call_as_an_mcp_event()
    {
        await NodeFixture.EnsureInstalledAsync();
        using var recorder = Recorder.Create();
        var root = recorder.Folder.Combine("root");
        Directory.CreateDirectory(root);
        var note = Path.Combine(root, "note.txt");
        var content = "the MCP note " + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(note, content);

        var (code, events, explain) = await RecordAsync(recorder, [], NodeFixture.Node, NodeFixture.McpClientScript, root, note);

        Assert.True(code == 0, explain);
        var stdio = events.Where(e => e.Source == "stdio").ToList();
        var call = Assert.Single(stdio, e => e.Text?.Contains("\"tools/call\"", StringComparison.Ordinal) == true);
        var client = call.Pid;
        Assert.Contains("\"read_text_file\"", call.Text!, StringComparison.Ordinal);
        Assert.Equal("WRITE", call.Function);
        Assert.Equal("unix", (string?)call.Data["kind"]);
        var server = (int)call.Data["peer_pid"]!;
        Assert.NotEqual(client, server);
        Assert.Contains(events, e => e.Source == "process" && e.Kind == "EXEC" && e.Pid == server);

        // The server's answer: its own write, on its stdout socket pair, naming the client as the other end.
        var result = Assert.Single(stdio, e => e.Pid == server && e.Text?.Contains(content, StringComparison.Ordinal) == true);
        Assert.Equal("WRITE", result.Function);
        Assert.Equal(1, (int)result.Data["fd"]!);
        Assert.Equal("unix", (string?)result.Data["kind"]);
        Assert.Equal(client, (int?)result.Data["peer_pid"]);
        Assert.True((ulong)result.Data["stream_id"]! > 0 && (ulong)call.Data["stream_id"]! > 0, explain);
        Assert.NotEqual((ulong)result.Data["stream_id"]!, (ulong)call.Data["stream_id"]!);
        var message = JsonNode.Parse(result.Text!.Trim())!.AsObject();
        Assert.Equal("2.0", (string?)message["jsonrpc"]);
        Assert.Equal((string?)JsonNode.Parse(call.Text!.Trim())!["id"]?.ToJsonString(), message["id"]?.ToJsonString());

        // Each byte once: both ends are traced, so the reads of those lines are not captured again.
        Assert.DoesNotContain(stdio, e => e.Function == "READ" && e.Text?.Contains("tools/call", StringComparison.Ordinal) == true);

        // The default pipeline's mcp stage: initialize, tools/list and the tool call, each with its answer, between these two processes.
        var mcp = events.Where(e => e.Source == "mcp").ToList();
        var methods = mcp.Select(e => (string?)e.Data["mcp.method.name"]).ToList();
        Assert.True(methods.Contains("initialize") && methods.Contains("tools/list"), $"mcp events: {string.Join(", ", methods)}\n{explain}");
        var toolCall = Assert.Single(mcp, e => (string?)e.Data["mcp.method.name"] == "tools/call");
        Assert.Equal("read_text_file", (string?)toolCall.Data["gen_ai.tool.name"]);
        Assert.Equal(note, (string?)toolCall.Data["arguments"]?["path"]);
        Assert.Contains(content, toolCall.Data["result"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.True((bool?)toolCall.Data["complete"] == true && (bool?)toolCall.Data["is_error"] == false, toolCall.Data.ToJsonString());
        Assert.Equal((client, server), ((int?)toolCall.Data["client_pid"], (int?)toolCall.Data["server_pid"]));
        Assert.Equal("stdio", (string?)toolCall.Data["transport"]);
        Assert.Equal("secure-filesystem-server", (string?)toolCall.Data["server"]?["name"]);
        Assert.Equal(client, toolCall.Pid);
    }

    [Fact]
    public async Task A_noisy_child_stays_within_its_stdio_limit_and_the_rest_is_counted()
    {
        using var recorder = Recorder.Create();
        const long limit = 1024 * 1024;
        const long written = 100L * 1024 * 1024;

        // Every stream, each process within 1 MiB.
        var (code, events, explain) = await RecordAsync(recorder, ["--stdio", "all", "--stdio-limit", "1M"],
            "sh", "-c", "yes | head -c 100M > /dev/null");

        Assert.True(code == 0, explain);
        var yes = events.Where(e => e.Source == "stdio" && e.Comm == "yes").ToList();
        Assert.NotEmpty(yes);
        Assert.All(yes, e => Assert.Equal("pipe", (string?)e.Data["kind"]));
        var captured = yes.Sum(e => (long)e.Data["len"]! - ((long?)e.Data["bytes_lost"] ?? 0));
        Assert.True(captured <= limit, $"{captured} bytes captured from yes, over its limit of {limit}");
        Assert.True(captured >= limit / 2, $"only {captured} bytes captured from yes");
        // head's reads are yes's writes: not captured a second time.
        Assert.DoesNotContain(events, e => e.Source == "stdio" && e.Comm == "head" && e.Function == "READ");
        var counted = long.Parse(LimitBytes().Match(explain).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(counted >= written - limit, $"limit_bytes {counted}: the bytes over the limit are not all counted\n{explain}");

        // By default (jsonrpc), the same output is no JSON-RPC stream: nothing is kept, all of it counted as filtered.
        var (defaultCode, defaultEvents, defaultExplain) = await RecordAsync(recorder, [], "sh", "-c", "yes | head -c 100M > /dev/null");
        Assert.True(defaultCode == 0, defaultExplain);
        Assert.DoesNotContain(defaultEvents, e => e.Source == "stdio");
        var filtered = long.Parse(FilteredBytes().Match(defaultExplain).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(filtered >= written, $"filtered_bytes {filtered}\n{defaultExplain}");
    }

    /// <summary><c>record</c> through the default pipeline, with its summary (the counters tests read) in the explanation.</summary>
    private static async Task<(int Code, List<CapturedEvent> Events, string Explain)> RecordAsync(Recorder recorder, string[] options, params string[] command)
    {
        var session = recorder.Folder.Combine($"session-{Guid.NewGuid():N}.jsonl");
        var (code, stdout, stderr) = await HostProcess.RunAsync(
            ["--plugins", Artifacts.PluginsDirectory, "record", "--no-server", "-o", session, .. options, "--", .. command],
            recorder.Folder.Path, TimeSpan.FromSeconds(180));
        var events = CapturedEvent.ReadSession(session);
        return (code, events, $"exit {code}; {events.Count} events\nstdout:\n{stdout}\nstderr:\n{stderr}\n");
    }

    [GeneratedRegex(@"limit_bytes=(\d+)")]
    private static partial Regex LimitBytes();

    [GeneratedRegex(@"filtered_bytes=(\d+)")]
    private static partial Regex FilteredBytes();

    [GeneratedRegex(@"tls_calls_left_to_tls=[1-9]")]
    private static partial Regex TlsSkipped();
}
