using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Web.Session;
using AgentSight.Tests.Analyzers.Trace;
using static AgentSight.Tests.Analyzers.Trace.TraceSession;

namespace AgentSight.Tests.WebUi;

/// <summary>The web plugin's model of span events and costs: what the Trace view, the Overview and report read.</summary>
public sealed class TraceIndexTests
{
    private static readonly PipelineView NoPipeline = new(null, [], [], null);

    [Fact]
    public void Spans_link_to_their_call_and_process_and_a_replayed_span_is_kept_once()
    {
        var session = new TraceSession();
        session.Exec(1000, 1, "/usr/bin/node", "agent.js");
        var call = ToolCall("toolu_1", "Bash", new JsonObject { ["command"] = "date" });
        session.Call(1000, "node", [User("what time")], [call]);
        session.Run(1001, 1000, 0, "/usr/bin/date");
        session.Call(1000, "node", [User("what time"), Assistant(call), Results(("toolu_1", "noon"))], [Text("Noon.")]);
        session.Exit(1000, 1);
        var events = session.Analyzed();
        var spans = events.Where(e => e.Source == EventSources.Span).ToList();
        using var index = new SessionIndex(10_000);
        foreach (var evt in events.Concat(spans))
        {
            index.Add(evt, Encoding.UTF8.GetBytes(AgentEventJson.ToJson(evt)), receivedAtMs: 1);
        }

        var trace = index.Trace();
        var overview = index.Overview(NoPipeline, "web");

        Assert.Equal(spans.Count, trace.Spans.Count);
        Assert.Equal([1, 2], trace.Spans.Where(s => s.Operation == "chat").Select(s => s.CallId));
        Assert.Equal(1, trace.Spans.Single(s => s.Operation == "execute_tool").CallId);
        var date = trace.Spans.Single(s => s.Name == "process date");
        Assert.NotNull(date.ProcessId);
        Assert.Equal(0.009, overview.Llm.CostUsd!.Value, 9);
        Assert.Equal(0, overview.Llm.UnpricedCalls);
        Assert.Equal([[0.0045], [0.009]], overview.Llm.CostOverTime.Select(p => new[] { p[1] }));
        var run = Assert.Single(overview.Runs);
        Assert.Equal("invoke_agent node", run.Name);
        Assert.Equal(2, run.Calls);
        Assert.Equal(0.009, run.CostUsd!.Value, 9);
        Assert.Contains("$0.0090", ReportText.Format(index.Report(NoPipeline, "web", 5)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_without_a_price_is_unknown_never_free()
    {
        var unknown = new JsonObject
        {
            ["gen_ai.request.model"] = "llama3", ["gen_ai.usage.input_tokens"] = 10, ["gen_ai.usage.output_tokens"] = 2, ["exchange_id"] = "9:0x1:1",
            ["cost"] = new JsonObject { ["usd"] = null, ["unknown"] = true, ["price_table"] = "2026-12-06" },
        };
        using var index = new SessionIndex(100);
        var evt = new AgentEvent(Support.Some.Epoch, "llm", 9, 9, "ollama", new JsonPayload(unknown));
        index.Add(evt, Encoding.UTF8.GetBytes(AgentEventJson.ToJson(evt)), receivedAtMs: 1);

        var overview = index.Overview(NoPipeline, "web");

        Assert.Null(overview.Llm.CostUsd);
        Assert.Equal(1, overview.Llm.UnpricedCalls);
        Assert.Null(Assert.Single(overview.Llm.Models).CostUsd);
        Assert.Contains(" unknown", ReportText.Format(index.Report(NoPipeline, "web", 5)), StringComparison.Ordinal);
    }
}
