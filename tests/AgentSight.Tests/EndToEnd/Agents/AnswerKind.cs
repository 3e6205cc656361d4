namespace AgentSight.Tests.Agents;

/// <summary>What <see cref="AgentEndpoint"/> answered to one model call.</summary>
public enum AnswerKind
{
    /// <summary>The first call of a conversation: a call of the agent's shell tool running <see cref="AgentEndpoint.ToolCommand"/>.</summary>
    ToolCall,

    /// <summary>A call that carries a tool's result: the final text, with <see cref="AgentEndpoint.FinalMarker"/>.</summary>
    FinalText,

    /// <summary>A call without a shell tool and without a tool result (titles, summaries, routing): a short plausible answer.</summary>
    SideAnswer,

    /// <summary>
    /// A warm-up over the Responses API's WebSocket transport (<c>generate: false</c>, which Codex sends when it opens
    /// the connection): a completed response with no output.
    /// </summary>
    Prewarm,
}
