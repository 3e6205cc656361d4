namespace AgentSight.Tests.Agents;

/// <summary>
/// The scripted conversation every real agent must complete against an <see cref="AgentEndpoint"/>: a model call
/// answered with a call of the agent's shell tool, the agent runs the command, a second model call carries the
/// command's output, and the final text reaches the agent's stdout.
/// </summary>
public static class AgentRoundTrip
{
    /// <summary>The prompt; the endpoint's answers do not depend on it.</summary>
    public const string Prompt = "Run the AgentSight marker command with your shell tool, then report what it printed.";

    /// <summary>Asserts the round trip, with the run's output and every request in the failure message.</summary>
    public static void AssertCompleted(AgentRun run, AgentEndpoint endpoint)
    {
        var explain = $"{run}\n--- endpoint ---\n{endpoint.Describe()}\nreproduce: {run.Invocation.ToShellLine()}";
        Assert.False(run.TimedOut, "timed out\n" + explain);
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n" + explain);

        var conversation = endpoint.Answers.Where(a => a.Kind is AnswerKind.ToolCall or AnswerKind.FinalText).ToList();
        Assert.True(conversation.Count >= 2, "fewer than two model calls\n" + explain);
        var toolCall = conversation[0];
        var final = conversation[1];
        Assert.True(toolCall.Kind == AnswerKind.ToolCall, "the first call was not answered with the tool call\n" + explain);
        Assert.True(final.Kind == AnswerKind.FinalText, "the second call did not carry a tool result\n" + explain);
        Assert.True(final.RequestIndex > toolCall.RequestIndex, explain);
        Assert.All(endpoint.Answers, a => Assert.Equal(run.Agent.Api, a.Api));
        Assert.True(final.ToolResult?.Contains(endpoint.ToolOutputMarker, StringComparison.Ordinal) == true,
            $"the tool result does not hold the command's output {endpoint.ToolOutputMarker}: {final.ToolResult}\n" + explain);
        Assert.Contains(endpoint.ToolOutputMarker, endpoint.RequestOf(final).Body, StringComparison.Ordinal);
        Assert.Equal(toolCall.Model, final.Model);
        Assert.True(run.StandardOutput.Contains(endpoint.FinalMarker, StringComparison.Ordinal),
            $"stdout lacks the final marker {endpoint.FinalMarker}\n" + explain);
        switch (endpoint.Transport)
        {
            case EndpointTransport.Http1:
                // HTTP/1.1 only, whatever the client offered.
                Assert.All(endpoint.Requests, r => Assert.Equal(("HTTP/1.1", "http/1.1"), (r.Protocol, r.Alpn)));
                break;
            case EndpointTransport.Http2:
                // HTTP/2 for every connection whose client offered it.
                Assert.All(endpoint.Requests, r => Assert.Equal(r.OfferedAlpn.Contains("h2") ? ("HTTP/2", "h2") : ("HTTP/1.1", "http/1.1"), (r.Protocol, r.Alpn)));
                break;
            case EndpointTransport.WebSocket:
                // The conversation went over the WebSocket.
                Assert.All(conversation, a => Assert.Equal("websocket", endpoint.RequestOf(a).Protocol));
                break;
        }
    }
}
