namespace AgentSight.Traffic;

/// <summary>A response body as an API writes it: SSE events for a stream, one JSON document otherwise.</summary>
internal sealed class ApiResponse
{
    /// <summary>The provider's response id (<c>msg_…</c>, <c>chatcmpl-…</c>, <c>resp_…</c>, Gemini <c>responseId</c>).</summary>
    public required string ResponseId { get; init; }

    /// <summary>The raw stop or finish reason as sent (<c>end_turn</c>, <c>tool_calls</c>, <c>completed</c>, <c>STOP</c>).</summary>
    public required string FinishReason { get; init; }

    /// <summary>For streams: each SSE event, complete with its terminating blank line.</summary>
    public IReadOnlyList<string>? Events { get; init; }

    /// <summary>For non-streamed responses: the JSON body.</summary>
    public string? Body { get; init; }
}
