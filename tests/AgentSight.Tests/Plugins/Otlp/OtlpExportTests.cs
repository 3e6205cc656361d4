using System.Diagnostics;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Otlp;

/// <summary>
/// <c>--otlp</c> as a user runs it, against a real backend (the Aspire dashboard): the spans it received, their ids,
/// parents and attributes, over gRPC and over HTTP/protobuf; and a backend that is not there.
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Replayed_span_events_reach_the_dashboard_over_grpc_with_their_own_ids_parents_and_attributes()
    {
        using var folder = TempFolder.ForCaller();
        var session = folder.Combine("session.jsonl");
        await File.WriteAllTextAsync(session, SpanSession.Lines());
        await using var dashboard = await AspireDashboard.StartAsync();

        var (exit, _, stderr) = await HostProcess.RunAsync(["replay", session, "-q", "--disable", "trace", "--otlp", dashboard.GrpcUrl], folder.Path);

        Assert.True(exit == 0, stderr);
        Assert.Contains("spans_exported=4", stderr, StringComparison.Ordinal);
        var spans = await dashboard.WaitForSpansAsync(s => s.Count >= 4);
        Assert.Equal(4, spans.Count);
        Assert.All(spans, s => Assert.Equal(SpanSession.TraceId, s.TraceId));
        var byId = spans.ToDictionary(s => s.SpanId);
        Assert.Equal(
            [(SpanSession.AgentSpan, null), (SpanSession.ChatSpan, SpanSession.AgentSpan), (SpanSession.ToolSpan, SpanSession.AgentSpan), (SpanSession.ProcessSpan, SpanSession.ToolSpan)],
            new[] { SpanSession.AgentSpan, SpanSession.ChatSpan, SpanSession.ToolSpan, SpanSession.ProcessSpan }.Select(id => (id, byId[id].ParentSpanId)).ToArray());
        Assert.Equal("invoke_agent claude", byId[SpanSession.AgentSpan].Name);
        var chat = byId[SpanSession.ChatSpan];
        Assert.Equal("chat claude-sonnet-4-5", chat.Name);
        Assert.Equal("claude-sonnet-4-5", chat.Attributes["gen_ai.request.model"]);
        Assert.Equal("1200", chat.Attributes["gen_ai.usage.input_tokens"]);
        Assert.Equal("0.0048", chat.Attributes["agentsight.cost.usd"]);
        Assert.Equal("llm", chat.Attributes["agentsight.ref.source"]);
        // Content stays home without capture_content, as the GenAI conventions ask.
        Assert.DoesNotContain("gen_ai.input.messages", chat.Attributes.Keys);
        Assert.DoesNotContain("gen_ai.tool.call.arguments", byId[SpanSession.ToolSpan].Attributes.Keys);
        Assert.Equal("Bash", byId[SpanSession.ToolSpan].Attributes["gen_ai.tool.name"]);
        var process = byId[SpanSession.ProcessSpan];
        Assert.Equal("npm test", process.Attributes["process.command_line"]);
        Assert.Contains("exit code 1", process.Status, StringComparison.Ordinal);
        // The llm event was not made into a chat span of its own: the trace analyzer's spans stand.
        Assert.DoesNotContain(spans, s => s.Attributes.ContainsKey("agentsight.span.derived"));
        Assert.Equal("agentsight", chat.Resource["service.name"]);
        Assert.Equal(Environment.MachineName, chat.Resource["host.name"]);
    }

    [Fact]
    public async Task Over_http_protobuf_with_content_and_logs_opted_in_the_prompt_and_every_event_arrive()
    {
        using var folder = TempFolder.ForCaller();
        var session = folder.Combine("session.jsonl");
        await File.WriteAllTextAsync(session, SpanSession.Lines());
        await using var dashboard = await AspireDashboard.StartAsync();

        var (exit, _, stderr) = await HostProcess.RunAsync(
            ["replay", session, "-q", "--disable", "trace", "--otlp", dashboard.HttpUrl, "--set", "otlp.protocol=http/protobuf",
             "--set", "otlp.capture_content=true", "--set", "otlp.logs=true", "--set", "otlp.service_name=fleet-node-7"], folder.Path);

        Assert.True(exit == 0, stderr);
        var spans = await dashboard.WaitForSpansAsync(s => s.Count >= 4);
        var chat = Assert.Single(spans, s => s.SpanId == SpanSession.ChatSpan);
        Assert.Equal(SpanSession.AgentSpan, chat.ParentSpanId);
        Assert.Contains(SpanSession.Secret, chat.Attributes["gen_ai.input.messages"], StringComparison.Ordinal);
        Assert.Equal("fleet-node-7", chat.Resource["service.name"]);
        Assert.Contains("logs_written=8", stderr, StringComparison.Ordinal);
        var logs = (await WaitForLogsAsync(dashboard, 8)).ToJsonString();
        Assert.Contains("invoke_agent claude", logs, StringComparison.Ordinal);
        Assert.Contains("agentsight.event.source", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_exports_the_session_it_opens_besides_showing_it()
    {
        using var folder = TempFolder.ForCaller();
        var session = folder.Combine("session.jsonl");
        await File.WriteAllTextAsync(session, SpanSession.Lines());
        await using var dashboard = await AspireDashboard.StartAsync();

        using var host = HostProcess.Start(["serve", session, "--port", "0", "--otlp", dashboard.GrpcUrl], folder.Path);
        await host.WaitForStderrAsync("serving until Ctrl+C", TimeSpan.FromSeconds(60));
        // Span events go out while it serves; the derived ones it held back wait for the end, and there are none.
        var spans = await dashboard.WaitForSpansAsync(s => s.Count >= 4);
        host.Signal(2);
        var exit = await host.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exit == 0, host.Stderr);
        Assert.Equal(
            new[] { SpanSession.AgentSpan, SpanSession.ChatSpan, SpanSession.ToolSpan, SpanSession.ProcessSpan }.Order(),
            spans.Select(s => s.SpanId).Order());
    }

    [Fact]
    public async Task A_config_mistake_is_reported_before_anything_runs()
    {
        using var folder = TempFolder.ForCaller();
        var session = folder.Combine("session.jsonl");
        await File.WriteAllTextAsync(session, SpanSession.Lines());

        var (exit, _, stderr) = await HostProcess.RunAsync(["replay", session, "-q", "--disable", "trace", "--otlp", "localhost:4317", "--set", "otlp.protocol=thrift"], folder.Path);

        Assert.Equal(2, exit);
        Assert.Contains("endpoint", stderr, StringComparison.Ordinal);
        Assert.Contains("must be an http:// or https:// URL", stderr, StringComparison.Ordinal);
        Assert.Contains("must be grpc, http/protobuf or auto", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backend_that_is_not_there_never_holds_the_replay_up()
    {
        using var folder = TempFolder.ForCaller();
        var session = folder.Combine("session.jsonl");
        await File.WriteAllTextAsync(session, SpanSession.Lines());
        var closed = AspireDashboard.FreePort();

        var clock = Stopwatch.StartNew();
        var (exit, _, stderr) = await HostProcess.RunAsync(["replay", session, "-q", "--disable", "trace", "--otlp", $"http://127.0.0.1:{closed}"], folder.Path);

        // Nothing ever reached the backend: the end does not wait out the drain bound (5 s) or the retries (6 s).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.True(exit == 0, stderr);
        // Sent in one batch or two, as the export task met them: each span is counted once, as failed or dropped.
        Assert.True(SummaryCounter(stderr, "spans_failed") >= 1, stderr);
        Assert.Equal(4, SummaryCounter(stderr, "spans_failed") + SummaryCounter(stderr, "spans_dropped"));
        Assert.Contains("4 of 4 spans did not reach", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Past_its_queue_a_stuck_export_drops_new_spans_and_counts_every_one()
    {
        using var folder = TempFolder.ForCaller();
        var session = folder.Combine("session.jsonl");
        await File.WriteAllTextAsync(session, SpanSession.Lines());
        var closed = AspireDashboard.FreePort();

        var (exit, _, stderr) = await HostProcess.RunAsync(
            ["replay", session, "-q", "--disable", "trace", "--otlp", $"http://127.0.0.1:{closed}", "--set", "otlp.queue_size=1", "--set", "otlp.batch_size=1",
             "--set", "otlp.drain_timeout_ms=500"], folder.Path);

        Assert.True(exit == 0, stderr);
        var failed = SummaryCounter(stderr, "spans_failed");
        var dropped = SummaryCounter(stderr, "spans_dropped");
        // The first span is stuck in its retries, one waits, the rest find the queue full; every one is counted once.
        Assert.True(dropped >= 1, stderr);
        Assert.Equal(4, failed + dropped);
    }

    /// <summary>A counter on the summary table, which shows only the ones that are not zero.</summary>
    private static int SummaryCounter(string stderr, string name) =>
        System.Text.RegularExpressions.Regex.Match(stderr, $@"\b{name}=(\d+)") is { Success: true } found
            ? int.Parse(found.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    internal static async Task<System.Text.Json.Nodes.JsonNode> WaitForLogsAsync(AspireDashboard dashboard, int count)
    {
        var deadline = Stopwatch.StartNew();
        System.Text.Json.Nodes.JsonNode logs;
        do
        {
            logs = await dashboard.LogsAsync();
            if (logs["totalCount"]?.GetValue<int>() >= count)
            {
                break;
            }
            await Task.Delay(250);
        }
        while (deadline.Elapsed < TimeSpan.FromSeconds(20));
        return logs;
    }
}
