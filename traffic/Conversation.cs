namespace AgentSight.Traffic;

/// <summary>A tool the agent offers the model: name, description and JSON-schema parameters (JSON text).</summary>
internal sealed record ToolSpec(string Name, string Description, string ParametersJson);

/// <summary>One turn of the conversation sent to the model.</summary>
internal abstract record Turn;

/// <summary>What the user typed.</summary>
internal sealed record UserTurn(string Text) : Turn;

/// <summary>An earlier answer of the model: text, a tool call, or both.</summary>
internal sealed record AssistantTurn(string? Text, SyntheticToolCall? ToolCall) : Turn;

/// <summary>The output of a tool the model called.</summary>
internal sealed record ToolResultTurn(SyntheticToolCall Call, string Output) : Turn;

/// <summary>A provider-neutral LLM request; each API writes it in its own shape.</summary>
internal sealed record LlmRequest(
    string Model,
    string System,
    IReadOnlyList<Turn> Turns,
    IReadOnlyList<ToolSpec> Tools,
    bool Stream,
    int MaxTokens,
    double Temperature);

/// <summary>What the model answers: text (possibly empty), then optionally one tool call.</summary>
internal sealed record LlmAnswer(string Text, SyntheticToolCall? ToolCall);
