using System.Diagnostics;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>The original tool's commands (ssl, process, trace), the demo, and how capture fails when it cannot run.</summary>
[Collection(CaptureCollection.Name)]
public sealed class CaptureCommandTests
{
    [Fact]
    public async Task Ssl_without_filters_sees_any_process_until_interrupted()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.OpensslAsync();
        var output = recorder.Folder.Combine("ssl.jsonl");
        using var host = recorder.Start("ssl", "--handshake", "-q", "-o", output);
        await host.WaitForStderrAsync("Capturing TLS plaintext of every process", TimeSpan.FromSeconds(60));

        using (var curl = Process.Start(CaptureEnvironment.Tool("curl"), ["-sk", server.Url("/anyone"), "-o", "/dev/null"]))
        {
            await curl.WaitForExitAsync();
        }
        await Task.Delay(300);
        host.Signal(2);
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, host.Stderr);
        var events = CapturedEvent.ReadSession(output);
        Assert.Contains(events, e => e.IsWrite && e.Comm == "curl" && e.Text!.Contains("GET /anyone ", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Function == "HANDSHAKE" && e.Comm == "curl");
        Assert.DoesNotContain(events, e => e.Source == "process");
        Assert.DoesNotMatch(@"lost_records=[1-9]", host.Stderr);
    }

    [Fact]
    public async Task Process_in_its_default_mode_reports_every_exec_and_exit_without_file_opens()
    {
        using var recorder = Recorder.Create();
        var output = recorder.Folder.Combine("process.jsonl");
        using var host = recorder.Start("process", "-q", "-o", output);
        await host.WaitForStderrAsync("Capturing process activity", TimeSpan.FromSeconds(60));

        using (var marker = Process.Start("/bin/sh", ["-c", "exec /bin/true agentsight-process-marker"]))
        {
            await marker.WaitForExitAsync();
        }
        await Task.Delay(300);
        host.Signal(15);
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, host.Stderr);
        var events = CapturedEvent.ReadSession(output);
        var exec = Assert.Single(events, e => e.Kind == "EXEC" && e.Argv.SequenceEqual(["/bin/true", "agentsight-process-marker"]));
        Assert.Contains(events, e => e.Kind == "EXIT" && e.Pid == exec.Pid && (int)e.Data["exit_code"]! == 0);
        Assert.DoesNotContain(events, e => e.Kind == "FILE_OPEN");
        Assert.DoesNotContain(events, e => e.Pid == host.Pid);
    }

    [Fact]
    public async Task Trace_follows_a_name_for_both_tls_and_processes()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.OpensslAsync();
        var agent = recorder.Folder.Combine("trace-agent");
        File.CreateSymbolicLink(agent, CaptureEnvironment.Tool("curl"));
        var output = recorder.Folder.Combine("trace.jsonl");
        using var host = recorder.Start("trace", "-c", "trace-agent", "-q", "-o", output);
        await host.WaitForStderrAsync("following any that starts with that name", TimeSpan.FromSeconds(60));

        using (var run = Process.Start(agent, ["-sk", server.Url("/traced"), "-o", "/dev/null"]))
        {
            await run.WaitForExitAsync();
        }
        await Task.Delay(300);
        host.Signal(2);
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, host.Stderr);
        var events = CapturedEvent.ReadSession(output);
        Assert.Contains(events, e => e.IsWrite && e.Comm == "trace-agent" && e.Text!.Contains("GET /traced ", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == "EXEC" && e.Comm == "trace-agent");
        Assert.Contains(events, e => e.Kind == "FILE_OPEN" && e.Comm == "trace-agent");
        Assert.All(events, e => Assert.Equal("trace-agent", e.Comm));
    }

    [Fact]
    public async Task The_demo_records_its_agent_end_to_end_and_says_where_to_look()
    {
        using var recorder = Recorder.Create();
        var session = recorder.Folder.Combine("demo.jsonl");

        var (code, _, stderr) = await HostProcess.RunAsync([.. recorder.Global, "demo", "--no-server", "-o", session], recorder.Folder.Path, TimeSpan.FromSeconds(180));

        Assert.True(code == 0, stderr);
        var events = CapturedEvent.ReadSession(session);
        Assert.Contains(events, e => e.IsWrite && e.Text!.StartsWith("POST /v1/messages HTTP/1.1", StringComparison.Ordinal));
        Assert.Contains(events, e => e.IsWrite && e.Text!.StartsWith("POST /v1/chat/completions HTTP/1.1", StringComparison.Ordinal));
        // This pipeline has no redact stage: the agent's fake keys are there as sent (the default pipeline's test
        // below checks they are not).
        Assert.Contains(events, e => e.IsWrite && e.Text!.Contains("streamGenerateContent?alt=sse&key=AIzaSy-demo-not-a-real-key", StringComparison.Ordinal));
        Assert.Contains(events, e => e.IsWrite && e.Text!.Contains("x-api-key: sk-ant-demo-not-a-real-key", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(events, e => e.IsRead && e.Text!.Contains("event: content_block_delta", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == "EXEC" && e.Argv.SequenceEqual(["uname", "-sr"]));
        Assert.Contains(events, e => e.Kind == "FILE_OPEN" && ((string?)e.Data["filepath"])?.EndsWith("/report.md", StringComparison.Ordinal) == true);
        Assert.Contains($"The session is {session}", stderr, StringComparison.Ordinal);
        Assert.Contains("./agentsight replay", stderr, StringComparison.Ordinal);
    }

    /// <summary>The README's main command, as a newcomer runs it: the default pipeline, the UI, then Ctrl+C.</summary>
    [Fact]
    public async Task The_demo_shows_its_session_in_the_web_UI_until_interrupted_then_sums_it_up()
    {
        CaptureEnvironment.Require();
        using var folder = TempFolder.ForCaller();
        var session = folder.Combine("demo.jsonl");
        using var host = HostProcess.Start(["demo", "--port", "0", "-o", session], folder.Path);

        await host.WaitForStderrAsync("The demo agent is done", TimeSpan.FromSeconds(180));
        using var http = WebUiAddress.Client(host.Stderr);
        var overview = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync("/api/overview"))!;
        var page = await http.GetStringAsync("/");
        host.Signal(2);
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, host.Stderr);
        Assert.Equal(6, (int)overview["llm"]!["calls"]!);
        Assert.True((int)overview["llm"]!["output_tokens"]! > 0, overview.ToJsonString());
        Assert.Equal(["claude-sonnet-4-5-20250929", "gemini-2.5-flash", "gpt-4.1-mini-2025-04-14"],
            overview["llm"]!["models"]!.AsArray().Select(m => (string)m!["model"]!).Order(StringComparer.Ordinal));
        Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("6 LLM calls", host.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(folder.Combine("demo.db")), "the session is also stored for serve and report");
        // Every call was whole (the agent's exit never came before the end of its last response), one event each,
        // with its model, its answer and its tokens, whatever the provider's stream format.
        Assert.DoesNotContain("calls_incomplete", host.Stderr, StringComparison.Ordinal);
        var calls = CapturedEvent.ReadSession(session).Where(e => e.Source == "llm").ToList();
        Assert.Equal(["anthropic", "anthropic", "anthropic", "anthropic", "gcp.gen_ai", "openai_compatible"],
            calls.Select(c => (string)c.Data["gen_ai.provider.name"]!).Order(StringComparer.Ordinal));
        Assert.All(calls, c => Assert.NotNull((string?)c.Data["gen_ai.response.model"]));
        Assert.All(calls, c => Assert.True((int)c.Data["gen_ai.usage.output_tokens"]! > 0, c.ToString()));
        Assert.Contains(calls, c => c.Root.ToJsonString().Contains("Machine report: kernel and workspace at a glance", StringComparison.Ordinal));
        // The agent's fake keys (x-api-key, a bearer token, a key in a Gemini URL) reach neither file.
        Assert.DoesNotContain("not-a-real-key", File.ReadAllText(session), StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-real-key"u8.ToArray(), File.ReadAllBytes(folder.Combine("demo.db")));
    }

    [Fact]
    public async Task Record_serves_the_session_in_the_web_UI_while_the_command_runs()
    {
        CaptureEnvironment.Require();
        using var folder = TempFolder.ForCaller();
        var marker = $"agentsight-live-{Guid.NewGuid():N}";
        using var host = HostProcess.Start(["record", "--port", "0", "-o", folder.Combine("live.jsonl"), "--",
            "/bin/sh", "-c", $"touch {marker}; sleep 4"], folder.Path);

        await host.WaitForStderrAsync("Web UI: http://", TimeSpan.FromSeconds(60));
        using var http = WebUiAddress.Client(host.Stderr);
        var seenWhileRunning = false;
        for (var attempt = 0; attempt < 30 && !seenWhileRunning; attempt++)
        {
            await Task.Delay(100);
            seenWhileRunning = (await http.GetStringAsync($"/api/events?q={marker}")).Contains($"OPEN {marker}", StringComparison.Ordinal);
        }
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(seenWhileRunning, $"the file the command touched was not in the UI within 3 s; stderr:\n{host.Stderr}");
        Assert.True(code == 0, host.Stderr);
        Assert.True(File.Exists(folder.Combine("live.db")), "the session is also stored beside the NDJSON file");
    }

    [Fact]
    public async Task Without_root_capture_fails_with_one_line_that_says_how_to_fix_it()
    {
        CaptureEnvironment.Require();
        var setpriv = CaptureEnvironment.Tool("setpriv");
        var dotnet = Process.GetCurrentProcess().MainModule?.FileName is { } self && Path.GetFileName(self) == "dotnet" ? self : CaptureEnvironment.Tool("dotnet");
        var start = new ProcessStartInfo(setpriv)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "--", dotnet, Artifacts.HostDll, "record", "--", "/bin/true" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        start.Environment["HOME"] = Path.GetTempPath();
        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 1, stderr);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("agentsight: ", StringComparison.Ordinal));
        Assert.Contains("cannot capture: capture needs root", line, StringComparison.Ordinal);
        Assert.Contains("sudo", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_original_flags_that_were_dropped_explain_themselves()
    {
        var (code, _, stderr) = await HostProcess.RunAsync(["trace", "--log-file", "ssl.log"]);
        var (legacyCode, _, legacyStderr) = await HostProcess.RunAsync(["process", "--", "-d", "100"]);
        var (sizeCode, _, sizeStderr) = await HostProcess.RunAsync(["record", "--max-capture", "lots", "--", "/bin/true"]);
        var (emptyCode, _, emptyStderr) = await HostProcess.RunAsync(["record"]);

        Assert.Equal(2, code);
        Assert.Contains("--log-file is not supported", stderr, StringComparison.Ordinal);
        Assert.Equal(2, legacyCode);
        Assert.Contains("-d is not supported", legacyStderr, StringComparison.Ordinal);
        Assert.Equal(2, sizeCode);
        Assert.Contains("--max-capture: \"lots\" is not a size", sizeStderr, StringComparison.Ordinal);
        Assert.Equal(2, emptyCode);
        Assert.Contains("record needs something to trace", emptyStderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_refuses_to_disable_the_stage_its_session_file_is_written_through()
    {
        using var folder = TempFolder.ForCaller();
        var output = folder.Combine("session.jsonl");

        var (code, _, stderr) = await HostProcess.RunAsync(["record", "--no-server", "--disable", "file", "-o", output, "--", "/bin/true"]);

        Assert.Equal(2, code);
        Assert.Contains("--disable file: this command needs the stage \"file\" (the session file is written through it", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }
}
