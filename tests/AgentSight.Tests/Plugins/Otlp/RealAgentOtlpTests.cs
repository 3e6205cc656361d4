using System.Text.RegularExpressions;
using AgentSight.Tests.Agents;
using AgentSight.Tests.Support;
using Xunit.Abstractions;

namespace AgentSight.Tests.Otlp;

/// <summary>
/// Issue 16's "Done when", as a user runs it: <c>agentsight record --otlp http://127.0.0.1:4318 -- claude -p "…"</c>
/// with the real Claude Code against a local endpoint that asks for its shell tool, exported to the real Aspire
/// dashboard; then <c>report</c> on the session.
/// </summary>
[Collection(RealAgentCollection.Name)]
public sealed class RealAgentOtlpTests(ITestOutputHelper output)
{
    private const string Model = "claude-sonnet-4-6";

    [Fact]
    public async Task A_real_agents_run_is_a_trace_of_chat_and_execute_tool_spans_with_its_command_under_its_tool_and_report_prints_its_cost()
    {
        var agent = RealAgent.Default(AgentKind.ClaudeCode);
        using var folder = TempFolder.ForCaller();
        // The port of the issue's command (OTLP/HTTP's own, which --otlp takes as http/protobuf) when it is free here.
        var standard = AspireDashboard.IsFree(4318);
        await using var dashboard = await AspireDashboard.StartAsync(standard ? 4318 : null);
        await using var endpoint = await AgentEndpoint.StartAsync(folder.Combine("endpoint"));
        string[] otlp = standard ? ["--otlp", "http://127.0.0.1:4318"] : ["--otlp", dashboard.HttpUrl, "--set", "otlp.protocol=http/protobuf"];
        output.WriteLine($"record {string.Join(' ', otlp)}");

        // Claude Code 2.1.332 asks for claude-opus-5-5 by default, a model the price table has no published price for
        // (its cost is "unknown", never $0): the run is told to use Sonnet 4.6, whose price is in the table.
        var recording = await AgentRecording.RecordAsync(agent, endpoint, folder, recordOptions: otlp,
            agentEnvironment: new Dictionary<string, string> { ["ANTHROPIC_MODEL"] = Model });

        var explain = recording.Explain(endpoint);
        AgentRoundTrip.AssertCompleted(recording.Run, endpoint);
        var spans = await dashboard.WaitForSpansAsync(s => s.Any(span => span.ParentSpanId is null && span.Name.StartsWith("invoke_agent", StringComparison.Ordinal)));
        var tree = string.Join('\n', spans.Select(s => $"{s.SpanId} <- {s.ParentSpanId}: {s.Name}"));
        output.WriteLine(tree);
        explain += $"\n--- spans in the dashboard ---\n{tree}";
        var root = Assert.Single(spans, s => s.ParentSpanId is null);
        // Named after the agent's process, not the thread that made the calls (Bun's "HTTP Client").
        Assert.Equal("invoke_agent claude", root.Name);
        Assert.All(spans, s => Assert.Equal(root.TraceId, s.TraceId));
        var byId = spans.ToDictionary(s => s.SpanId);
        Assert.All(spans.Where(s => s.ParentSpanId is not null), s => Assert.True(byId.ContainsKey(s.ParentSpanId!), $"{s.Name}'s parent was not exported\n{explain}"));

        // A chat span per model call, with the model and the tokens the endpoint answered.
        var chats = spans.Where(s => s.Attributes.GetValueOrDefault("gen_ai.operation.name") == "chat").ToList();
        Assert.True(chats.Count == endpoint.Answers.Count, $"{chats.Count} chat spans for {endpoint.Answers.Count} model calls\n{explain}");
        foreach (var answer in endpoint.Answers)
        {
            var chat = chats.SingleOrDefault(c => c.Attributes.GetValueOrDefault("gen_ai.response.id") == answer.ResponseId);
            Assert.True(chat is not null, $"no chat span for {answer.ResponseId}\n{explain}");
            Assert.Equal($"chat {answer.Model}", chat.Name);
            Assert.Equal(answer.Usage.OutputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture), chat.Attributes["gen_ai.usage.output_tokens"]);
            Assert.True(chat.Attributes.ContainsKey("agentsight.cost.usd"), $"{chat.Name} has no cost\n{explain}");
        }

        // The tool the model asked for: an execute_tool span under the chat that asked, the command it ran under it.
        var asked = endpoint.Answers.Single(a => a.Kind == AnswerKind.ToolCall);
        var tool = spans.SingleOrDefault(s => s.Attributes.GetValueOrDefault("gen_ai.tool.call.id") == asked.ToolCallId);
        Assert.True(tool is not null, $"no execute_tool span for {asked.ToolCallId}\n{explain}");
        Assert.Equal($"execute_tool {asked.ToolName}", tool.Name);
        Assert.Equal(asked.ResponseId, byId[tool.ParentSpanId!].Attributes.GetValueOrDefault("gen_ai.response.id"));
        var command = spans.FirstOrDefault(s => s.Attributes.GetValueOrDefault("process.command_line")?.Contains("AGENTSIGHT-TOOL", StringComparison.Ordinal) == true);
        Assert.True(command is not null, $"the tool's command is not in the dashboard\n{explain}");
        var ancestors = new List<string>();
        for (var at = command; at.ParentSpanId is not null; at = byId[at.ParentSpanId])
        {
            ancestors.Add(at.ParentSpanId);
        }
        Assert.True(ancestors.Contains(tool.SpanId), $"the command's span is not under {tool.Name}\n{explain}");
        Assert.Equal("0", command.Attributes["process.exit.code"]);

        // report: the cost per model and per run of this run.
        var (reportExit, report, reportErrors) = await HostProcess.RunAsync(["report", recording.Session], folder.Path, TimeSpan.FromSeconds(60));
        Assert.True(reportExit == 0, reportErrors);
        output.WriteLine(report);
        // Sonnet 4.6 in the table: $3 per million tokens in, $15 out (no cache tokens in these answers).
        Assert.All(endpoint.Answers, a => Assert.Equal(Model, a.Model));
        var usd = endpoint.Answers.Sum(a => (a.Usage.InputTokens * 3.0 + a.Usage.OutputTokens * 15.0) / 1e6);
        var cost = "$" + usd.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
        var perModel = Section(report, "LLM calls per model");
        Assert.Matches($@"(?m)^  {Regex.Escape(Model)} +anthropic +{endpoint.Answers.Count} +0 .* {Regex.Escape(cost)}$", perModel);
        Assert.Matches($@"(?m)^  total {Regex.Escape(cost)} ", perModel);
        var perRun = Section(report, "Cost per run");
        // RUN, PID, DURATION, CONVERSATIONS, then every call of the run, its tokens and its cost.
        Assert.Matches($@"(?m)^  invoke_agent .* +\d+ +{endpoint.Answers.Count} +[\d,]+ +[\d,]+ +{Regex.Escape(cost)} ", perRun);
    }

    /// <summary>A section of the report: from its title to the next blank line.</summary>
    private static string Section(string report, string title)
    {
        var start = report.IndexOf(title + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {title} in the report:\n{report}");
        var end = report.IndexOf("\n\n", start, StringComparison.Ordinal);
        return end < 0 ? report[start..] : report[start..end];
    }
}
