namespace AgentSight.Traffic;

/// <summary>A little agent task: the user's prompt and the model's steps, each a tool call or the final answer.</summary>
/// <param name="Name">A short name, for reading tests and samples.</param>
/// <param name="Prompt">What the user asks.</param>
/// <param name="Tools">The tools the agent offers (empty: none are sent).</param>
/// <param name="Steps">One per LLM call; all but the last call a tool.</param>
/// <param name="Title">What a side call asked for a session title answers.</param>
/// <param name="MayAddClosing">Whether a closing sentence in English may be added to the final answer.</param>
internal sealed record Scenario(string Name, string Prompt, IReadOnlyList<ToolSpec> Tools, IReadOnlyList<ScenarioStep> Steps, string Title,
    bool MayAddClosing);

/// <summary>One answer of the model in a scenario.</summary>
/// <param name="Text">Text said before the tool call, or the final answer.</param>
/// <param name="ToolName">The tool called, or null for the final answer.</param>
/// <param name="ArgumentsJson">The call's arguments (compact JSON).</param>
/// <param name="ToolOutput">What the tool returned.</param>
internal sealed record ScenarioStep(string Text, string? ToolName = null, string? ArgumentsJson = null, string? ToolOutput = null);
