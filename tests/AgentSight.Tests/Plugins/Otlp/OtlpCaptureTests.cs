using System.Diagnostics;
using System.Text.Json.Nodes;
using AgentSight.Tests.Capture;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Otlp;

/// <summary>
/// <c>--otlp</c> on live capture, as the README says to run it: the demo's calls and processes in the Aspire dashboard
/// (its API and its UI in a browser), and a recording whose backend is not there.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class OtlpCaptureTests
{
    [Fact]
    public async Task The_demo_without_a_trace_analyzer_shows_its_calls_under_its_processes_in_the_dashboard_and_its_ui()
    {
        using var folder = TempFolder.ForCaller();
        await using var dashboard = await AspireDashboard.StartAsync();

        var (exit, _, stderr) = await HostProcess.RunAsync(
            ["demo", "--no-server", "-o", folder.Combine("demo.jsonl"), "--disable", "trace", "--otlp", dashboard.GrpcUrl, "--set", "otlp.capture_content=true"],
            folder.Path, TimeSpan.FromSeconds(180));

        Assert.True(exit == 0, stderr);
        var spans = await dashboard.WaitForSpansAsync(s => s.Any(span => span.Name.StartsWith("agentsight run", StringComparison.Ordinal)));
        var root = Assert.Single(spans, s => s.ParentSpanId is null);
        Assert.StartsWith("agentsight run", root.Name, StringComparison.Ordinal);
        Assert.All(spans, s => Assert.Equal(root.TraceId, s.TraceId));
        var byId = spans.ToDictionary(s => s.SpanId);
        Assert.All(spans.Where(s => s.ParentSpanId is not null), s => Assert.True(byId.ContainsKey(s.ParentSpanId!), $"{s.Name}'s parent was not exported"));
        // The bundled agent: six streamed calls to three providers, all from its python3 process.
        var chats = spans.Where(s => s.Kind == "3").ToList();
        Assert.Equal(6, chats.Count);
        Assert.Equal(4, chats.Count(c => c.Name == "chat claude-sonnet-4-5"));
        Assert.Contains(chats, c => c.Name == "chat gpt-4.1-mini");
        Assert.Contains(chats, c => c.Name == "generate_content gemini-2.5-flash");
        var agent = byId[chats[0].ParentSpanId!];
        Assert.StartsWith("process python3", agent.Name, StringComparison.Ordinal);
        Assert.All(chats, c => Assert.Equal(agent.SpanId, c.ParentSpanId));
        Assert.All(chats, c => Assert.True(long.Parse(c.Attributes["gen_ai.usage.input_tokens"], System.Globalization.CultureInfo.InvariantCulture) > 0));
        // Content was opted in: the first call carries the user's prompt (every later Claude call repeats it in its history).
        Assert.Contains("Look at this machine", chats.OrderBy(c => c.Start).First().Attributes["gen_ai.input.messages"], StringComparison.Ordinal);
        // The shell commands the model asked for run under the agent's process: python3 → sh -c → uname.
        var uname = Assert.Single(spans, s => s.Attributes.TryGetValue("process.command_line", out var line) && line == "uname -sr");
        var shell = byId[uname.ParentSpanId!];
        Assert.Equal("/bin/sh -c uname -sr", shell.Attributes["process.command_line"]);
        Assert.Equal(agent.SpanId, shell.ParentSpanId);
        Assert.Equal("0", uname.Attributes["process.exit.code"]);
        Assert.Contains("spans_exported=", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("spans_failed", stderr, StringComparison.Ordinal);

        // What a person sees: the run in Traces, the call's GenAI details with the prompt, the token metric.
        var shots = folder.Combine("shots");
        Directory.CreateDirectory(shots);
        var ui = await RunNodeAsync(Path.Combine(Artifacts.RepoRoot, "tests", "AgentSight.Tests", "Plugins", "Otlp", "aspire-ui.mjs"),
            dashboard.UiUrl, root.Name, "chat claude-sonnet-4-5", shots);
        Assert.True(ui["error"] is null, $"{ui["error"]}\n{dashboard.Output}");
        Assert.Contains(root.Name, (string)ui["traces"]!, StringComparison.Ordinal);
        Assert.Contains("process python3", (string)ui["trace"]!, StringComparison.Ordinal);
        var genai = (string)ui["genai"]!;
        Assert.Contains("Tokens", genai, StringComparison.Ordinal);
        Assert.Contains("Look at this machine and write a short report in report.md.", genai, StringComparison.Ordinal);
        var metrics = (string)ui["metrics"]!;
        Assert.Contains("Tokens used by a call to a model", metrics, StringComparison.Ordinal);
        Assert.Contains("gen_ai.client.operation.duration", metrics, StringComparison.Ordinal);
        Assert.Contains("agentsight.pipeline.counter", metrics, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(shots, "genai.png")));
    }

    /// <summary>
    /// The default pipeline (with the trace stage) as the issue's user runs it: the run in the dashboard as a trace with
    /// chat and execute_tool spans, and the commands a tool ran under its execute_tool span.
    /// </summary>
    [Fact]
    public async Task The_demo_with_the_trace_stage_shows_chat_and_execute_tool_spans_with_the_tools_commands_under_them()
    {
        using var folder = TempFolder.ForCaller();
        await using var dashboard = await AspireDashboard.StartAsync();

        var (exit, _, stderr) = await HostProcess.RunAsync(
            ["demo", "--no-server", "-o", folder.Combine("demo.jsonl"), "--otlp", dashboard.GrpcUrl], folder.Path, TimeSpan.FromSeconds(180));

        Assert.True(exit == 0, stderr);
        var spans = await dashboard.WaitForSpansAsync(s => s.Any(span => span.ParentSpanId is null && span.Name.StartsWith("invoke_agent", StringComparison.Ordinal)));
        var explain = string.Join('\n', spans.Select(s => $"{s.SpanId} <- {s.ParentSpanId}: {s.Name}"));
        var root = Assert.Single(spans, s => s.ParentSpanId is null);
        Assert.All(spans, s => Assert.Equal(root.TraceId, s.TraceId));
        var byId = spans.ToDictionary(s => s.SpanId);
        Assert.All(spans.Where(s => s.ParentSpanId is not null), s => Assert.True(byId.ContainsKey(s.ParentSpanId!), $"{s.Name}'s parent was not exported\n{explain}"));
        Assert.Equal(6, spans.Count(s => s.Name.StartsWith("chat ", StringComparison.Ordinal) || s.Name.StartsWith("generate_content ", StringComparison.Ordinal)));
        var tools = spans.Where(s => s.Name.StartsWith("execute_tool", StringComparison.Ordinal)).ToList();
        Assert.True(tools.Count > 0, explain);
        // uname, run by the model's shell tool, sits under that tool's span (through its sh -c parent).
        var uname = Assert.Single(spans, s => s.Attributes.TryGetValue("process.command_line", out var line) && line == "uname -sr");
        var ancestors = new List<string>();
        for (var at = uname; at.ParentSpanId is not null; at = byId[at.ParentSpanId])
        {
            ancestors.Add(byId[at.ParentSpanId].Name);
        }
        Assert.True(ancestors.Any(a => a.StartsWith("execute_tool", StringComparison.Ordinal)), $"uname's ancestors: {string.Join(" < ", ancestors)}\n{explain}");
    }

    [Fact]
    public async Task A_recording_whose_backend_is_not_there_ends_on_time_counts_what_it_could_not_send_and_exits_with_the_command()
    {
        using var folder = TempFolder.ForCaller();
        var closed = AspireDashboard.FreePort();

        var clock = Stopwatch.StartNew();
        var (exit, _, stderr) = await HostProcess.RunAsync(
            ["record", "--no-server", "-o", folder.Combine("session.jsonl"), "--otlp", $"http://127.0.0.1:{closed}", "--",
             "/bin/sh", "-c", "for i in 1 2 3 4 5; do /bin/true; done; exit 3"],
            folder.Path, TimeSpan.FromSeconds(120));
        var elapsed = clock.Elapsed;

        // record -- CMD exits with the command's status; the lost export does not change it.
        Assert.True(exit == 3, stderr);
        Assert.Matches(@"spans_failed=\d+", stderr);
        Assert.Contains("did not reach", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("spans_exported", stderr, StringComparison.Ordinal);
        // The session on disk is whole: capture never waited on the backend.
        var session = await File.ReadAllLinesAsync(folder.Combine("session.jsonl"));
        Assert.Equal(5, session.Count(l => l.Contains("\"EXEC\"", StringComparison.Ordinal) && l.Contains("\"/bin/true\"", StringComparison.Ordinal)));
        // Within the capture's own start and stop: the end waits neither for the drain bound (5 s) nor for the retries (6 s).
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"took {elapsed}");
    }

    [Fact]
    public async Task A_process_in_a_docker_containers_cgroup_is_exported_under_that_containers_resource()
    {
        using var folder = TempFolder.ForCaller();
        await using var dashboard = await AspireDashboard.StartAsync();
        // A cgroup named as Docker names a container's (v1: .../docker/ID; v2: docker-ID.scope), made for this test.
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var cgroup = Directory.Exists("/sys/fs/cgroup/pids") ? $"/sys/fs/cgroup/pids/docker/{id}" : $"/sys/fs/cgroup/docker-{id}.scope";
        var created = !Directory.Exists(Path.GetDirectoryName(cgroup));
        Directory.CreateDirectory(cgroup);
        try
        {
            // The command moves itself into the container's cgroup, then starts a child there, as a container's processes start.
            var (exit, _, stderr) = await HostProcess.RunAsync(
                ["record", "--no-server", "-o", folder.Combine("session.jsonl"), "--otlp", dashboard.GrpcUrl, "--",
                 "/bin/sh", "-c", $"echo $$ > {cgroup}/cgroup.procs && /bin/sleep 0.5"],
                folder.Path, TimeSpan.FromSeconds(120));

            Assert.True(exit == 0, stderr);
            var spans = await dashboard.WaitForSpansAsync(s => s.Any(span => span.Name == "process sleep"));
            var sleep = Assert.Single(spans, s => s.Name == "process sleep");
            Assert.Equal(id, sleep.Resource["container.id"]);
            Assert.Equal("docker", sleep.Resource["container.runtime"]);
            Assert.Equal($"{Environment.MachineName}/{id[..12]}", sleep.Resource["service.instance.id"]);
            // One trace across resources: the run's span and the container's process.
            var root = Assert.Single(spans, s => s.ParentSpanId is null);
            Assert.Equal(root.TraceId, sleep.TraceId);
        }
        finally
        {
            // Empty once the command ended; the kernel refuses to remove a cgroup that still holds a process.
            Directory.Delete(cgroup);
            if (created)
            {
                Directory.Delete(Path.GetDirectoryName(cgroup)!);
            }
        }
    }

    private static async Task<JsonObject> RunNodeAsync(string script, params string[] args)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        var text = await stdout;
        Assert.True(node.ExitCode == 0 && text.Length > 0, $"node exited {node.ExitCode}:\n{await stderr}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
