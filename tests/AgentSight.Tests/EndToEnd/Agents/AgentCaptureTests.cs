using System.Text.Json.Nodes;
using AgentSight.Tests.Capture;
using AgentSight.Tests.Support;
using Xunit.Abstractions;

namespace AgentSight.Tests.Agents;

/// <summary>
/// The agents people run, recorded with <c>agentsight record -- AGENT -p PROMPT</c> against a local endpoint that
/// answers first with a call of the agent's shell tool: every model call is an <c>llm</c> event with the model, the
/// answer and the tokens the endpoint sent; the command the tool ran is in the session under the agent; the second
/// call carries its output; nothing was left unseen; the fake API key is nowhere in the session.
/// </summary>
/// <remarks>
/// Claude Code (BoringSSL in Bun), Codex (rustls over aws-lc), Copilot CLI (static OpenSSL in a module it unpacks and
/// loads after start) and Gemini CLI (Node's OpenSSL), at every pinned release (<see cref="RealAgent.Matrix"/>:
/// Claude Code releases from April to November 2026, three Codex releases, the newest Copilot and Gemini CLI).
/// </remarks>
[Collection(RealAgentCollection.Name)]
public sealed class AgentCaptureTests(ITestOutputHelper output)
{
    public static TheoryData<AgentKind, string> Versions()
    {
        var data = new TheoryData<AgentKind, string>();
        foreach (var agent in RealAgent.Matrix)
        {
            data.Add(agent.Kind, agent.Version);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Every_model_call_of_a_recorded_agent_is_an_llm_event(AgentKind kind, string version)
    {
        await AgentCaptureCheck.RunAsync(new RealAgent(kind, version), output);
    }

    /// <summary>
    /// As a new user runs them: through the command npm installs (Codex's and Copilot's are Node launchers that start
    /// the real binary as a child), on a machine whose discovery cache is empty, so that the binary making the calls is
    /// looked into for the first time while it starts (0.5 s for Codex's).
    /// </summary>
    [Theory]
    [InlineData(AgentKind.Codex)]
    [InlineData(AgentKind.Copilot)]
    [InlineData(AgentKind.Gemini)]
    public async Task An_agent_started_through_its_npm_launcher_is_seen_from_its_first_call(AgentKind kind)
    {
        using var cache = TempFolder.ForCaller($"cache-{kind}");
        await AgentCaptureCheck.RunAsync(RealAgent.Default(kind), output, throughLauncher: true, discoveryCache: cache.Path);
    }

    /// <summary>
    /// Codex against an endpoint that accepts HTTP/2 (it offers <c>h2</c> and takes it: HTTP/2 frames with HPACK inside
    /// rustls), and against one it is told speaks the Responses API over WebSocket (its <c>supports_websockets</c>:
    /// a warm-up <c>response.create</c> with <c>generate: false</c>, then the conversation, as permessage-deflate
    /// messages on one connection): every call is an llm event all the same.
    /// </summary>
    [Theory]
    [InlineData(EndpointTransport.Http2)]
    [InlineData(EndpointTransport.WebSocket)]
    public async Task Codex_calls_over_HTTP2_and_over_WebSocket_are_llm_events(EndpointTransport transport)
    {
        await AgentCaptureCheck.RunAsync(RealAgent.Default(AgentKind.Codex), output, transport: transport);
    }
}

/// <summary>The check one recorded agent run must pass (shared with the version matrix).</summary>
internal static class AgentCaptureCheck
{
    public static async Task RunAsync(RealAgent agent, ITestOutputHelper output, bool throughLauncher = false, string? discoveryCache = null,
        EndpointTransport transport = EndpointTransport.Http1)
    {
        using var folder = TempFolder.ForCaller($"{agent.Kind}-{agent.Version}-{transport}");
        await using var endpoint = await AgentEndpoint.StartAsync(folder.Combine("endpoint"), transport: transport);

        var recording = await AgentRecording.RecordAsync(agent, endpoint, folder, throughLauncher, discoveryCache);

        var explain = recording.Explain(endpoint);
        output.WriteLine($"{agent}: recorded in {recording.Run.Elapsed.TotalSeconds:F1} s, {recording.Events.Count} events");
        AgentRoundTrip.AssertCompleted(recording.Run, endpoint);

        // One llm event per model call, each with what the endpoint answered.
        var llm = recording.Llm.ToList();
        Assert.True(llm.Count == endpoint.Answers.Count, $"{llm.Count} llm events for {endpoint.Answers.Count} model calls\n{explain}");
        foreach (var answer in endpoint.Answers)
        {
            var call = llm.FirstOrDefault(e => (string?)e.Data["gen_ai.response.id"] == answer.ResponseId);
            Assert.True(call is not null, $"no llm event for the answer {answer.ResponseId} ({answer.Kind})\n{explain}");
            Assert.Equal(answer.Model, (string?)call.Data["gen_ai.request.model"]);
            Assert.Equal(answer.Usage.InputTokens, (int?)call.Data["gen_ai.usage.input_tokens"]);
            Assert.Equal(answer.Usage.OutputTokens, (int?)call.Data["gen_ai.usage.output_tokens"]);
            var said = call.Data["gen_ai.output.messages"]!.ToJsonString();
            switch (answer.Kind)
            {
                case AnswerKind.FinalText:
                    Assert.Contains(endpoint.FinalMarker, said, StringComparison.Ordinal);
                    // The request that produced the final answer carried the tool's output.
                    Assert.Contains(endpoint.ToolOutputMarker, call.Data["gen_ai.input.messages"]!.ToJsonString(), StringComparison.Ordinal);
                    break;
                case AnswerKind.ToolCall:
                    Assert.Contains($"\"name\":\"{answer.ToolName}\"", said, StringComparison.Ordinal);
                    break;
                case AnswerKind.Prewarm:
                    Assert.Equal(false, (bool?)call.Data["openai.request.generate"]);
                    break;
            }
            Assert.True((bool?)call.Data["complete"] == true, $"{answer.ResponseId} incomplete\n{explain}");
        }
        switch (transport)
        {
            case EndpointTransport.Http2:
                // The model calls went as HTTP/2 streams, and the http events say so.
                var streams = recording.Events.Where(e => e.Source == "http" && (string?)e.Data["request"]?["version"] == "HTTP/2").ToList();
                Assert.True(llm.Count(c => streams.Any(s => (string?)s.Data["exchange_id"] == (string?)c.Data["exchange_id"])) == llm.Count,
                    $"not every llm event links to an HTTP/2 exchange\n{explain}");
                break;
            case EndpointTransport.WebSocket:
                Assert.All(llm, c => Assert.Equal("websocket", (string?)c.Data["transport"]));
                Assert.Contains(endpoint.Answers, a => a.Kind == AnswerKind.Prewarm);
                // The calls hold what the socket's messages said: its text messages stay out of the session.
                Assert.DoesNotContain(recording.Events, e => e.Source == "websocket" && (string?)e.Data["opcode"] == "text");
                break;
        }

        // The tool's command ran as a descendant of the agent, and is in the session.
        var execs = recording.Events.Where(e => e.Source == "process" && e.Kind == "EXEC").ToList();
        var tool = execs.FirstOrDefault(e => string.Join(' ', e.Argv).Contains("AGENTSIGHT-TOOL", StringComparison.Ordinal));
        Assert.True(tool is not null, $"the tool's command is not in the session\n{explain}");
        Assert.True(Descends(recording.Events, tool.Pid, execs[0].Pid), $"{tool} does not descend from the agent (pid {execs[0].Pid})\n{explain}");

        // Every TLS connection the agent made was seen, and the connections are in the session.
        Assert.Empty(recording.Network("TLS_UNSEEN"));
        Assert.DoesNotContain("no probe saw", recording.Stderr, StringComparison.Ordinal);
        Assert.Contains(recording.Network("TLS_HELLO"), e => (string?)e.Data["remote"] == $"127.0.0.1:{endpoint.Port}");

        // The fake key the agent sent in every request was redacted everywhere.
        Assert.DoesNotContain(agent.ApiKey, File.ReadAllText(recording.Session), StringComparison.Ordinal);

        // The session store beside it holds the same calls, as the web UI and the report read them.
        var database = Path.ChangeExtension(recording.Session, ".db");
        var (code, report, errors) = await HostProcess.RunAsync(["report", database, "--json"], timeout: TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"report {database} failed: {errors}");
        var totals = JsonNode.Parse(report)!["overview"]!["llm"]!;
        Assert.Equal(endpoint.Answers.Count, (int)totals["calls"]!);
        Assert.Equal(endpoint.Answers.Sum(a => a.Usage.InputTokens), (long)totals["input_tokens"]!);
        Assert.Equal(endpoint.Answers.Sum(a => a.Usage.OutputTokens), (long)totals["output_tokens"]!);
        Assert.DoesNotContain(agent.ApiKey, await File.ReadAllTextAsync(database), StringComparison.Ordinal);
    }

    /// <summary>True when <paramref name="pid"/> is <paramref name="ancestor"/> or one of its descendants, by the session's FORK events.</summary>
    private static bool Descends(List<CapturedEvent> events, int pid, int ancestor)
    {
        var parents = events.Where(e => e.Source == "process" && e.Kind is "FORK" or "EXEC" && e.Data["ppid"] is JsonValue)
            .GroupBy(e => e.Pid).ToDictionary(g => g.Key, g => (int)g.First().Data["ppid"]!);
        for (var current = pid; ; current = parents[current])
        {
            if (current == ancestor)
            {
                return true;
            }
            if (!parents.ContainsKey(current))
            {
                return false;
            }
        }
    }
}
