using System.Text.Json.Nodes;
using AgentSight.Tests.Agents;
using AgentSight.Tests.Capture;
using AgentSight.Tests.Support;
using Xunit.Abstractions;

namespace AgentSight.Tests.Analyzers.Trace;

/// <summary>
/// The trace and cost stages of the default manifest on runs recorded from the kernel: the demo's bundled agent, and a
/// real agent (Claude Code) whose shell tool the endpoint calls; and the same session replayed twice.
/// </summary>
[Collection(RealAgentCollection.Name)]
public sealed class TraceOnRecordedRunsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_demo_is_one_run_whose_tools_hold_the_commands_and_files_they_ran_and_replays_to_the_same_ids()
    {
        CaptureEnvironment.Require();
        using var folder = TempFolder.ForCaller();
        var session = folder.Combine("demo.jsonl");

        var (code, _, stderr) = await HostProcess.RunAsync(["demo", "--no-server", "-q", "-o", session], folder.Path, TimeSpan.FromSeconds(180));

        Assert.True(code == 0, stderr);
        var events = CapturedEvent.ReadSession(session);
        var spans = events.Where(e => e.Source == "span").Select(e => e.Data).ToList();
        var calls = events.Where(e => e.Source == "llm").ToList();
        output.WriteLine(string.Join('\n', spans.Select(s => $"{s["name"]} {s["span_id"]} <- {s["parent_span_id"]}")));
        Assert.Equal(6, spans.Count(s => (string?)s["operation"] == "chat"));
        var run = Assert.Single(spans, s => (string?)s["attributes"]!["agentsight.trace.level"] == "run");
        Assert.Same(run, spans[^1]);
        Assert.Equal("invoke_agent python3", (string?)run["name"]);
        Assert.Equal("ok", (string?)run["status"]);
        // Every call was priced from the shipped table, and the run's cost is their sum.
        Assert.All(calls, c => Assert.False((bool)c.Data["cost"]!["unknown"]!));
        // Within a billionth of a dollar, not to 6 decimals: the same prices added in another order may differ in the
        // last bit, and a sum that falls on a half (0.0084695) then rounds to either side.
        Assert.Equal(calls.Sum(c => (double)c.Data["cost"]!["usd"]!), (double)run["attributes"]!["agentsight.cost.usd"]!, 1e-9);

        var tools = spans.Where(s => (string?)s["operation"] == "execute_tool").ToList();
        Assert.Equal(["run_command", "run_command", "write_file"], tools.Select(t => (string?)t["attributes"]!["gen_ai.tool.name"]));
        var uname = Under(spans, tools[0]).Single(s => (string?)s["attributes"]!["process.command_line"] == "uname -sr");
        Assert.Equal("process uname", (string?)uname["name"]);
        Assert.Contains(Under(spans, tools[1]), s => (string?)s["attributes"]!["process.command_line"] == "ls -la");
        Assert.Contains(Under(spans, tools[2]), s => ((string?)s["name"])!.StartsWith("file write ", StringComparison.Ordinal)
            && ((string?)s["name"])!.EndsWith("/report.md", StringComparison.Ordinal));
        // Each result is linked to the call whose request carried it: the next call of the conversation.
        var exchanges = calls.Select(c => (string?)c.Data["exchange_id"]).ToList();
        for (var i = 0; i < tools.Count; i++)
        {
            Assert.Equal(exchanges[i + 1], (string?)tools[i]["attributes"]!["agentsight.tool.result.ref"]);
            Assert.Equal("ok", (string?)tools[i]["status"]);
        }
        TraceAnalyzerTests.AssertChildrenBeforeParents([.. spans]);

        // Replayed (the capture's events, without the spans), twice: the same trace, the same ids.
        var raw = folder.Combine("raw.jsonl");
        await File.WriteAllLinesAsync(raw, File.ReadLines(session).Where(l => !l.Contains("\"source\":\"span\"", StringComparison.Ordinal)));
        var replayed = new List<List<string>>();
        foreach (var name in new[] { "one.jsonl", "two.jsonl" })
        {
            var (replayCode, _, replayErrors) = await HostProcess.RunAsync(
                ["replay", raw, "-q", "--disable", "http", "--disable", "sse", "--disable", "llm", "-o", folder.Combine(name)], folder.Path, TimeSpan.FromSeconds(120));
            Assert.True(replayCode == 0, replayErrors);
            replayed.Add([.. CapturedEvent.ReadSession(folder.Combine(name)).Where(e => e.Source == "span").Select(e => $"{e.Data["trace_id"]}/{e.Data["span_id"]}/{e.Data["parent_span_id"]}")]);
        }
        Assert.Equal(replayed[0], replayed[1]);
        Assert.Equal(spans.Select(s => $"{s["trace_id"]}/{s["span_id"]}/{s["parent_span_id"]}"), replayed[0]);

        // The report prints the cost per model and per run.
        var (reportCode, report, reportErrors) = await HostProcess.RunAsync(["report", session], folder.Path, TimeSpan.FromSeconds(60));
        Assert.True(reportCode == 0, reportErrors);
        Assert.Contains("Cost per run", report, StringComparison.Ordinal);
        Assert.Matches(@"invoke_agent python3 +\d+ +[\d.]+ s +3 +6 .* \$0\.\d{4} ", report);
    }

    [Fact]
    public async Task A_real_agents_shell_command_sits_under_its_execute_tool_span_and_its_result_is_linked()
    {
        var agent = RealAgent.Default(AgentKind.ClaudeCode);
        using var folder = TempFolder.ForCaller();
        await using var endpoint = await AgentEndpoint.StartAsync(folder.Combine("endpoint"));

        var recording = await AgentRecording.RecordAsync(agent, endpoint, folder);

        var explain = recording.Explain(endpoint);
        AgentRoundTrip.AssertCompleted(recording.Run, endpoint);
        var spans = recording.Events.Where(e => e.Source == "span").Select(e => e.Data).ToList();
        output.WriteLine(string.Join('\n', spans.Select(s => $"{s["name"]} {s["span_id"]} <- {s["parent_span_id"]} [{s["status"]}]")));
        var asked = endpoint.Answers.Single(a => a.Kind == AnswerKind.ToolCall);
        var answered = endpoint.Answers.Single(a => a.Kind == AnswerKind.FinalText);
        var tool = spans.SingleOrDefault(s => (string?)s["attributes"]!["gen_ai.tool.call.id"] == asked.ToolCallId);
        Assert.True(tool is not null, $"no execute_tool span for {asked.ToolCallId}\n{explain}");
        Assert.Equal($"execute_tool {asked.ToolName}", (string?)tool["name"]);

        // The command the tool ran is a process span under it (at any depth: the agent's shell, then the command).
        var command = Under(spans, tool).FirstOrDefault(s => ((string?)s["attributes"]!["process.command_line"])?.Contains(endpoint.ToolOutputMarker, StringComparison.Ordinal) == true
            || ((string?)s["attributes"]!["process.command_line"])?.Contains("AGENTSIGHT-TOOL", StringComparison.Ordinal) == true);
        Assert.True(command is not null, $"the tool's command is not under its span\n{explain}");

        // The result: linked to the call whose request carried it, and the output the agent sent back.
        var final = recording.Llm.Single(c => (string?)c.Data["gen_ai.response.id"] == answered.ResponseId);
        Assert.Equal((string?)final.Data["exchange_id"], (string?)tool["attributes"]!["agentsight.tool.result.ref"]);
        Assert.Contains(endpoint.ToolOutputMarker, (string?)tool["attributes"]!["gen_ai.tool.call.result"] ?? "", StringComparison.Ordinal);
        Assert.Equal("ok", (string?)tool["status"]);
        // Its parent is the chat span of the call that asked for it; the run holds everything and comes last.
        var asking = recording.Llm.Single(c => (string?)c.Data["gen_ai.response.id"] == asked.ResponseId);
        var chat = spans.Single(s => (string?)s["span_id"] == (string?)tool["parent_span_id"]);
        Assert.Equal((string?)asking.Data["exchange_id"], (string?)chat["ref"]!["key"]);
        Assert.Equal("run", (string?)spans[^1]["attributes"]!["agentsight.trace.level"]);
        Assert.All(spans, s => Assert.Equal((string?)spans[^1]["trace_id"], (string?)s["trace_id"]));
        TraceAnalyzerTests.AssertChildrenBeforeParents([.. spans]);
    }

    /// <summary>Every span below <paramref name="parent"/>, at any depth.</summary>
    private static List<JsonObject> Under(List<JsonObject> spans, JsonObject parent)
    {
        var below = new List<JsonObject>();
        var ids = new HashSet<string> { (string)parent["span_id"]! };
        bool grew;
        do
        {
            grew = false;
            foreach (var s in spans)
            {
                if ((string?)s["parent_span_id"] is { } p && ids.Contains(p) && ids.Add((string)s["span_id"]!))
                {
                    below.Add(s);
                    grew = true;
                }
            }
        }
        while (grew);
        return below;
    }
}
