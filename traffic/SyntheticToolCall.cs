namespace AgentSight.Traffic;

/// <summary>A tool call the model made, as it went over the wire.</summary>
/// <param name="Id">The provider's call id (<c>toolu_…</c>, <c>call_…</c>); null for Gemini, which sends none.</param>
/// <param name="Name">The tool's name.</param>
/// <param name="ArgumentsJson">The arguments as compact JSON text (what the stream's argument deltas add up to).</param>
internal sealed record SyntheticToolCall(string? Id, string Name, string ArgumentsJson);
