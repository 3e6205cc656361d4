using AgentSight.Tests.Agents;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>
/// Live capture of TLS stacks found in stripped code, and of a stack AgentSight does not open: a Go client (no
/// symbols, no uretprobes), and GnuTLS, which must be reported as a blind spot, never left silent.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class StackCaptureTests
{
    [Fact]
    public async Task A_stripped_Go_clients_model_call_is_an_llm_event_and_its_plaintext_names_its_socket()
    {
        var client = await GoProgram.BuildAsync(GoProgram.HttpsClient);
        using var recorder = Recorder.Create();
        await using var endpoint = await AgentEndpoint.StartAsync(recorder.Folder.Combine("endpoint"));
        var session = recorder.Folder.Combine("session.jsonl");

        // The default pipeline, raw TLS events kept beside the parsed ones.
        var (code, stdout, stderr) = await HostProcess.RunAsync(
            ["--plugins", Artifacts.PluginsDirectory, "record", "--no-server", "--no-summary", "--set", "http.keep_raw=true", "-o", session,
             "--", client, endpoint.BaseUrl, endpoint.CaCertificatePath], recorder.Folder.Path, TimeSpan.FromSeconds(120));

        var events = CapturedEvent.ReadSession(session);
        var explain = $"exit {code}; stdout {stdout}\n{stderr}\n{endpoint.Describe()}";
        Assert.True(code == 0, explain);
        Assert.StartsWith("200 OK", stdout, StringComparison.Ordinal);
        Assert.Contains($"TLS: probing {client}, Go 1.", stderr, StringComparison.Ordinal);
        var llm = Assert.Single(events, e => e.Source == "llm");
        var answer = Assert.Single(endpoint.Answers);
        Assert.Equal("claude-from-go", (string?)llm.Data["gen_ai.request.model"]);
        Assert.Equal(answer.Usage.OutputTokens, (int?)llm.Data["gen_ai.usage.output_tokens"]);
        Assert.Contains(answer.Text!, llm.Data["gen_ai.output.messages"]!.ToJsonString(), StringComparison.Ordinal);

        // Write at its entry, Read at its RETs: both directions, one connection (the *tls.Conn), the socket known.
        var ssl = events.Where(e => e.IsSsl && e.Function != "HANDSHAKE").ToList();
        Assert.Contains(ssl, e => e.IsWrite && e.Text!.StartsWith("POST /v1/messages HTTP/1.1\r\n", StringComparison.Ordinal));
        Assert.Contains("event: message_stop", string.Concat(ssl.Where(e => e.IsRead).Select(e => e.Text)), StringComparison.Ordinal);
        Assert.Single(ssl.Select(e => e.Connection).Distinct());
        var hello = Assert.Single(events, e => e.Source == "network" && e.Kind == "TLS_HELLO");
        Assert.All(ssl, e => Assert.Equal((int)hello.Data["fd"]!, (int?)e.Data["fd"]));
        Assert.Equal($"127.0.0.1:{endpoint.Port}", (string?)hello.Data["remote"]);
        Assert.DoesNotContain(events, e => e.Kind == "TLS_UNSEEN");
    }

    [Fact]
    public async Task A_Go_client_over_HTTP2_gives_one_llm_event_per_stream_with_its_headers_decoded()
    {
        var client = await GoProgram.BuildAsync(GoProgram.Http2Client);
        using var recorder = Recorder.Create();
        await using var endpoint = await AgentEndpoint.StartAsync(recorder.Folder.Combine("endpoint"), transport: EndpointTransport.Http2);
        var session = recorder.Folder.Combine("session.jsonl");

        var (code, stdout, stderr) = await HostProcess.RunAsync(
            ["--plugins", Artifacts.PluginsDirectory, "record", "--no-server", "--no-summary", "-o", session,
             "--", client, endpoint.BaseUrl, endpoint.CaCertificatePath], recorder.Folder.Path, TimeSpan.FromSeconds(120));

        var events = CapturedEvent.ReadSession(session);
        var explain = $"exit {code}; stdout {stdout}\n{stderr}\n{endpoint.Describe()}";
        Assert.True(code == 0, explain);
        Assert.Equal(2, stdout.Split('\n').Count(line => line.StartsWith("HTTP/2.0 200 OK", StringComparison.Ordinal)));
        Assert.All(endpoint.Requests, r => Assert.Equal(("HTTP/2", "h2"), (r.Protocol, r.Alpn)));
        Assert.Single(endpoint.Requests.Select(r => r.ConnectionId).Distinct());

        // Two streams of one connection: two exchanges with their pseudo-headers and headers decoded, two llm events.
        var http = events.Where(e => e.Source == "http").ToList();
        Assert.Equal(2, http.Count);
        Assert.All(http, e =>
        {
            Assert.Equal("HTTP/2", (string?)e.Data["request"]!["version"]);
            Assert.Equal("POST", (string?)e.Data["request"]!["method"]);
            Assert.Equal("/v1/messages", (string?)e.Data["request"]!["path"]);
            Assert.Equal($"127.0.0.1:{endpoint.Port}", (string?)e.Data["request"]!["host"]);
            Assert.Equal("2023-06-01", (string?)e.Data["request"]!["headers"]!["anthropic-version"]);
            Assert.Equal(200, (int?)e.Data["response"]!["status"]);
            Assert.Equal(0, (int?)e.Data["request"]!["headers_missed"]);
        });
        Assert.Single(http.Select(e => (string?)e.Data["conn_id"]).Distinct());
        var llm = events.Where(e => e.Source == "llm").ToList();
        Assert.Equal(endpoint.Answers.Select(a => a.ResponseId), llm.Select(e => (string?)e.Data["gen_ai.response.id"]));
        Assert.All(llm, e =>
        {
            Assert.Equal("claude-from-go-h2", (string?)e.Data["gen_ai.request.model"]);
            Assert.True((bool?)e.Data["complete"], e.Data.ToJsonString());
        });
        Assert.Contains("hello 2 from go over h2", llm[1].Data["gen_ai.input.messages"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(endpoint.Answers.Select(a => a.Usage.OutputTokens), llm.Select(e => (int?)e.Data["gen_ai.usage.output_tokens"] ?? -1));
        // The key went in an HPACK-coded header and is redacted all the same.
        Assert.DoesNotContain("go-fake-key", File.ReadAllText(session), StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Kind == "TLS_UNSEEN");
    }

    [Fact]
    public async Task A_program_never_seen_before_that_connects_at_once_is_seen_from_its_first_run()
    {
        var client = await GoProgram.BuildAsync(GoProgram.HttpsClient);
        using var recorder = Recorder.Create();
        await using var endpoint = await AgentEndpoint.StartAsync(recorder.Folder.Combine("endpoint"));
        var session = recorder.Folder.Combine("session.jsonl");
        var run = $"{client} {endpoint.BaseUrl} {endpoint.CaCertificatePath}";

        // An empty discovery cache: the client is a program this capture has never looked into. It is run by a shell
        // (not as the recorded command, which is probed before it starts) and connects within milliseconds; the kernel
        // holds it at its exec until its probes are in.
        var (code, stdout, stderr) = await HostProcess.RunAsync(
            ["--plugins", Artifacts.PluginsDirectory, "record", "--no-server", "--no-summary", "-o", session, "--", "/bin/sh", "-c", $"{run} && {run}"],
            recorder.Folder.Path, TimeSpan.FromSeconds(120), new Dictionary<string, string> { ["AGENTSIGHT_CACHE_DIR"] = recorder.Folder.Combine("cache") });

        var events = CapturedEvent.ReadSession(session);
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        var clients = events.Where(e => e.Kind == "EXEC" && (string?)e.Data["filename"] == client).Select(e => e.Pid).ToList();
        Assert.Equal(2, clients.Count);
        Assert.Equal(clients, events.Where(e => e.Source == "llm").Select(e => e.Pid));
        Assert.DoesNotContain(events, e => e.Kind == "TLS_UNSEEN");
        Assert.DoesNotContain("no probe saw", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TLS_through_a_library_AgentSight_does_not_open_is_reported_with_the_reason()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.PythonAsync();
        var gnutls = CaptureEnvironment.Tool("gnutls-cli");
        var request = recorder.Folder.Combine("request.txt");
        await File.WriteAllTextAsync(request, "GET /through-gnutls HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        var session = recorder.Folder.Combine("session.jsonl");

        // With the summary: the counter is part of what a user sees.
        var (code, _, stderr) = await HostProcess.RunAsync(
            [.. recorder.Global, "record", "--no-server", "-o", session, "--", "/bin/sh", "-c", $"{gnutls} --insecure -p {server.Port} 127.0.0.1 < {request}"],
            recorder.Folder.Path, TimeSpan.FromSeconds(120));

        var events = CapturedEvent.ReadSession(session);
        Assert.True(code == 0, stderr);
        var unseen = Assert.Single(events, e => e.Source == "network" && e.Kind == "TLS_UNSEEN");
        Assert.Equal("gnutls-cli", unseen.Comm);
        Assert.Equal($"127.0.0.1:{server.Port}", (string?)unseen.Data["remote"]);
        Assert.Equal(Posix(gnutls), (string?)unseen.Data["binary"]);
        Assert.Matches(@"GnuTLS \(libgnutls\.so[.0-9]*\) is not opened by AgentSight", (string?)unseen.Data["reason"]);
        Assert.Contains($"WRN] AgentSight.Capture: TLS: process {unseen.Pid} (gnutls-cli) sent TLS to 127.0.0.1:{server.Port} and no probe saw the plaintext: GnuTLS", stderr, StringComparison.Ordinal);
        Assert.Matches(@"\n  ssl +0 +.*unseen_connections=1", stderr);
        Assert.DoesNotContain(events, e => e.IsSsl);
    }

    private static string Posix(string path) => AgentSight.Host.Capture.Posix.Canonical(path) ?? path;
}
