using AgentSight.Tests.Support;
using Xunit.Abstractions;

namespace AgentSight.Tests.Agents;

/// <summary>
/// The real coding agents, at their default pinned versions, run one prompt offline against
/// <see cref="AgentEndpoint"/> WITHOUT any tracing: this proves the harness (install, command line, environment, CA
/// trust, wire formats, the tool round trip) that the capture tests reuse under <c>agentsight record</c>.
/// </summary>
[Collection(RealAgentCollection.Name)]
public sealed class AgentHarnessTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(AgentKind.ClaudeCode)]
    [InlineData(AgentKind.Codex)]
    [InlineData(AgentKind.Copilot)]
    [InlineData(AgentKind.Gemini)]
    public async Task The_pinned_agent_runs_the_shell_tool_and_prints_the_final_answer(AgentKind kind)
    {
        var agent = RealAgent.Default(kind);
        using var folder = TempFolder.ForCaller(kind.ToString());
        await using var endpoint = await AgentEndpoint.StartAsync(folder.Combine("endpoint"));

        var run = await agent.RunAsync(endpoint, AgentRoundTrip.Prompt, folder.Combine("run"));

        output.WriteLine($"{agent}: exit {run.ExitCode} in {run.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(endpoint.Describe());
        AgentRoundTrip.AssertCompleted(run, endpoint);
        var calls = endpoint.ConversationCalls;
        var toolCall = endpoint.Answers.First(a => a.Kind == AnswerKind.ToolCall);
        switch (kind)
        {
            case AgentKind.ClaudeCode:
                Assert.Equal("Bash", toolCall.ToolName);
                Assert.All(calls, c => Assert.Equal(("POST", "/v1/messages?beta=true"), (c.Method, c.PathAndQuery)));
                Assert.All(calls, c => Assert.Equal(agent.ApiKey, c.Header("x-api-key")));
                Assert.All(calls, c => Assert.StartsWith($"claude-cli/{agent.Version} ", c.Header("user-agent"), StringComparison.Ordinal));
                Assert.Contains("\"type\":\"tool_result\"", calls[1].Body, StringComparison.Ordinal);
                break;
            case AgentKind.Codex:
                Assert.Equal("exec_command", toolCall.ToolName);
                Assert.All(calls, c => Assert.Equal(("POST", "/v1/responses"), (c.Method, c.PathAndQuery)));
                Assert.All(calls, c => Assert.Equal($"Bearer {agent.ApiKey}", c.Header("authorization")));
                // rustls offers h2 first; the endpoint only takes http/1.1, and Codex speaks HTTP/1.1.
                Assert.All(endpoint.Requests, r => Assert.Equal(["h2", "http/1.1"], r.OfferedAlpn));
                Assert.Contains("\"type\":\"function_call_output\"", calls[1].Body, StringComparison.Ordinal);
                Assert.Equal(RealAgent.CodexModel, toolCall.Model);
                break;
            case AgentKind.Copilot:
                Assert.Equal("bash", toolCall.ToolName);
                Assert.All(calls, c => Assert.Equal(("POST", "/v1/chat/completions"), (c.Method, c.PathAndQuery)));
                Assert.All(calls, c => Assert.Equal($"Bearer {agent.ApiKey}", c.Header("authorization")));
                Assert.Contains("\"role\":\"tool\"", calls[1].Body, StringComparison.Ordinal);
                Assert.Equal(RealAgent.CopilotModel, toolCall.Model);
                break;
            case AgentKind.Gemini:
                Assert.Equal("run_shell_command", toolCall.ToolName);
                Assert.All(calls, c => Assert.Equal($"/v1beta/models/{toolCall.Model}:streamGenerateContent?alt=sse", c.PathAndQuery));
                Assert.All(calls, c => Assert.Equal(agent.ApiKey, c.Header("x-goog-api-key")));
                Assert.Contains("\"functionResponse\"", calls[1].Body, StringComparison.Ordinal);
                break;
        }
    }
}
