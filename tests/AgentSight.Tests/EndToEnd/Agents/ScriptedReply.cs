using System.Text.Json.Nodes;

namespace AgentSight.Tests.Agents;

/// <summary>The answer <see cref="AgentEndpoint"/> decided on, before it is put in a provider's wire format.</summary>
/// <param name="Text">The answer's text (for a tool call: the short sentence before the call).</param>
/// <param name="Tool">The tool to call (<see cref="AnswerKind.ToolCall"/> only).</param>
/// <param name="ToolCallId">The call's id, in the provider's style.</param>
/// <param name="Arguments">The call's arguments.</param>
/// <param name="ResponseId">The answer's id, in the provider's style.</param>
internal sealed record ScriptedReply(
    AnswerKind Kind,
    string Model,
    string Text,
    ShellTool? Tool,
    string? ToolCallId,
    JsonObject? Arguments,
    TokenUsage Usage,
    string ResponseId);
