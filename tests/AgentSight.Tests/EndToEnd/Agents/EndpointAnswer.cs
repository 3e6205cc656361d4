namespace AgentSight.Tests.Agents;

/// <summary>
/// What <see cref="AgentEndpoint"/> answered to one model call: the kind of answer, the model it reported (echoed
/// from the request), the text or the tool call, and the token usage it put in the answer.
/// </summary>
/// <param name="RequestIndex">The <see cref="RecordedRequest.Index"/> of the request it answered.</param>
/// <param name="Streamed">Whether the answer was streamed (SSE) or one JSON document.</param>
/// <param name="ResponseId">The answer's id (<c>msg_…</c>, <c>resp_…</c>, <c>chatcmpl-…</c>, Gemini's <c>responseId</c>).</param>
/// <param name="ToolName">The tool called (<see cref="AnswerKind.ToolCall"/> only).</param>
/// <param name="ToolCallId">The id of the tool call (<c>toolu_…</c>, <c>call_…</c>; Gemini has none).</param>
/// <param name="ToolArguments">The tool call's arguments as JSON.</param>
/// <param name="ToolResult">The text of the tool result the request carried (<see cref="AnswerKind.FinalText"/>), as the agent sent it.</param>
public sealed record EndpointAnswer(
    int RequestIndex,
    WireApi Api,
    AnswerKind Kind,
    string Model,
    bool Streamed,
    string ResponseId,
    string? Text,
    string? ToolName,
    string? ToolCallId,
    string? ToolArguments,
    string? ToolResult,
    TokenUsage Usage);
