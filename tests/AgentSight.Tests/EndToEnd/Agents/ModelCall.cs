using System.Text.Json.Nodes;

namespace AgentSight.Tests.Agents;

/// <summary>What <see cref="AgentEndpoint"/> read from a model call's request to decide its answer.</summary>
/// <param name="Model">The model asked for (the body's <c>model</c>; Gemini: the path's).</param>
/// <param name="Stream">Whether the client asked for a streamed answer.</param>
/// <param name="ToolNames">The names of every tool offered, in order.</param>
/// <param name="Shell">The shell tool among them, if any.</param>
/// <param name="ToolResult">The text of the last tool result the request carries, or null when it carries none.</param>
/// <param name="ResponseSchema">A JSON schema the answer's text must follow (Anthropic <c>output_config.format</c>, Responses
/// <c>text.format</c>, Chat <c>response_format</c>, Gemini <c>responseJsonSchema</c>), if any.</param>
internal sealed record ModelCall(
    WireApi Api,
    string Model,
    bool Stream,
    IReadOnlyList<string> ToolNames,
    ShellTool? Shell,
    string? ToolResult,
    JsonNode? ResponseSchema);
