using System.Diagnostics;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Otlp;

namespace AgentSight.Tests.Otlp;

/// <summary>Spans made from llm and process events when no trace analyzer runs.</summary>
public sealed class DerivedSpansTests
{
    private const long T0 = 1_795_514_400_000_000_000;

    private static AgentEvent Exec(long ms, int pid, int ppid, string comm, params string[] argv) =>
        new(T0 + ms * 1_000_000, "process", pid, pid, comm,
            new JsonPayload(new JsonObject { ["event"] = "EXEC", ["ppid"] = ppid, ["filename"] = "/usr/bin/" + comm, ["argv"] = new JsonArray([.. argv.Select(a => (JsonNode)a)]) }));

    private static AgentEvent Exit(long ms, int pid, int ppid, int code) =>
        new(T0 + ms * 1_000_000, "process", pid, pid, "x", new JsonPayload(new JsonObject { ["event"] = "EXIT", ["ppid"] = ppid, ["exit_code"] = code }));

    private static AgentEvent Llm(long ms, int pid, string model) =>
        new(T0 + ms * 1_000_000, "llm", pid, pid, "python3", new JsonPayload(new JsonObject
        {
            ["gen_ai.operation.name"] = "chat", ["gen_ai.provider.name"] = "anthropic", ["gen_ai.request.model"] = model, ["duration_ms"] = 250.0,
            ["exchange_id"] = $"{pid}:0x1:{ms}", ["gen_ai.output.messages"] = new JsonArray(new JsonObject { ["role"] = "assistant" }),
            ["cost"] = new JsonObject { ["usd"] = 0.01, ["unknown"] = false },
        }));

    private static List<SpanRecord> Run(bool captureContent = false)
    {
        var derived = new DerivedSpans(captureContent);
        var events = new[]
        {
            Exec(0, 10, 1, "python3", "python3", "agent.py"),
            Llm(100, 10, "claude-sonnet-4-5"),
            Exec(400, 11, 10, "sh", "sh", "-c", "ls"),
            Exit(500, 11, 10, 2),
            Llm(600, 10, "gpt-4.1-mini"),
        };
        var spans = events.SelectMany(e => derived.Take(e)).ToList();
        spans.AddRange(derived.Finish());
        return spans;
    }

    [Fact]
    public void Chats_sit_under_their_process_processes_under_their_parent_all_under_the_run()
    {
        var spans = Run();
        var root = Assert.Single(spans, s => s.ParentSpanId == default);
        var agent = Assert.Single(spans, s => s.Name == "process python3");
        var shell = Assert.Single(spans, s => s.Name == "process sh");
        var chats = spans.Where(s => s.Kind == ActivityKind.Client).ToList();

        Assert.Equal("agentsight run python3", root.Name);
        Assert.All(spans, s => Assert.Equal(root.TraceId, s.TraceId));
        Assert.Equal(root.SpanId, agent.ParentSpanId);
        Assert.Equal(agent.SpanId, shell.ParentSpanId);
        Assert.Equal(["chat claude-sonnet-4-5", "chat gpt-4.1-mini"], chats.Select(c => c.Name));
        Assert.All(chats, c => Assert.Equal(agent.SpanId, c.ParentSpanId));
        Assert.Equal(T0 + 100_000_000, chats[0].StartNs);
        Assert.Equal(T0 + 350_000_000, chats[0].EndNs);
        Assert.Equal(ActivityStatusCode.Error, shell.Status);
        Assert.Equal("exit code 2", shell.StatusMessage);
        Assert.Contains(new KeyValuePair<string, object?>("process.command_line", "sh -c ls"), shell.Attributes);
        Assert.Contains(new KeyValuePair<string, object?>("agentsight.cost.usd", 0.01), chats[0].Attributes);
        // The agent was still running at the end: it ends with the last event, neither ok nor failed.
        Assert.Equal(ActivityStatusCode.Unset, agent.Status);
        Assert.Equal(T0 + 850_000_000, agent.EndNs);
    }

    [Fact]
    public void Content_stays_out_unless_asked_for()
    {
        Assert.DoesNotContain(Run().SelectMany(s => s.Attributes), a => a.Key == "gen_ai.output.messages");
        Assert.Contains(Run(captureContent: true).SelectMany(s => s.Attributes), a => a.Key == "gen_ai.output.messages");
    }

    [Fact]
    public void The_same_session_gives_the_same_ids_every_time() =>
        Assert.Equal(Run().Select(s => (s.TraceId, s.SpanId, s.ParentSpanId)), Run().Select(s => (s.TraceId, s.SpanId, s.ParentSpanId)));

    [Fact]
    public void A_span_event_is_read_with_its_ids_and_a_broken_one_is_refused_with_the_reason()
    {
        var good = new AgentEvent(T0, "span", 10, 10, "claude", new JsonPayload(new JsonObject
        {
            ["trace_id"] = "4BF92F3577B34DA6A3CE929D0E0E4736", ["span_id"] = "00f067aa0ba902b7", ["parent_span_id"] = null,
            ["name"] = "invoke_agent claude", ["operation"] = "invoke_agent", ["kind"] = "internal", ["start_ns"] = T0, ["end_ns"] = T0 + 5,
            ["status"] = "error", ["status_message"] = "boom", ["attributes"] = new JsonObject { ["gen_ai.agent.name"] = "claude", ["n"] = 3, ["list"] = new JsonArray("a", "b") },
        }));
        var span = SpanEventReader.Read(good, captureContent: false, out var problem);
        Assert.Null(problem);
        Assert.NotNull(span);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", span.TraceId.ToHexString());
        Assert.Equal(default, span.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(3L, span.Attributes.Single(a => a.Key == "n").Value);
        Assert.Equal(["a", "b"], (string[])span.Attributes.Single(a => a.Key == "list").Value!);

        good.Fields!["span_id"] = "0000000000000000";
        Assert.Null(SpanEventReader.Read(good, false, out problem));
        Assert.Equal("span_id is not 16 hex digits", problem);
        good.Fields["span_id"] = "00f067aa0ba902b7";
        good.Fields["end_ns"] = T0 - 1;
        Assert.Null(SpanEventReader.Read(good, false, out problem));
        Assert.Contains("start_ns <= end_ns", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_activity_carries_exactly_the_ids_and_times_it_was_given()
    {
        using var activities = new ExactActivities("AgentSight.Tests", null);
        activities.Probe();
        var span = Run()[0];
        var activity = activities.Make(span)!;
        Assert.Equal(span.SpanId, activity.SpanId);
        Assert.Equal(span.TraceId, activity.TraceId);
        Assert.Equal(span.ParentSpanId, activity.ParentSpanId);
        Assert.Equal(ExactActivities.FromEpochNs(span.StartNs), activity.StartTimeUtc);
        Assert.Equal(TimeSpan.FromTicks((span.EndNs - span.StartNs) / 100), activity.Duration);
        Assert.Equal(ActivityKind.Client, activity.Kind);
    }
}
