using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Traffic;

namespace AgentSight.Tests.Analyzers.Support;

/// <summary>
/// What the llm event of a generated call must say, derived from the generator's record of the call with the
/// OpenTelemetry GenAI token rules written out here (from llm-stream-formats.md §9), not taken from the plugin.
/// </summary>
internal static class ExpectedCall
{
    public static string ProviderName(SyntheticCall call) => call.Provider switch
    {
        SyntheticProvider.Anthropic => "anthropic",
        SyntheticProvider.Gemini => "gcp.gemini",
        _ => "openai",
    };

    /// <summary>gen_ai.usage.input_tokens: Anthropic adds the cache reads and writes; the others already include them.</summary>
    public static long InputTokens(SyntheticCall call) => call.Provider == SyntheticProvider.Anthropic
        ? call.Usage.InputTokens + call.Usage.CachedInputTokens + call.Usage.CacheCreationInputTokens
        : call.Usage.InputTokens;

    /// <summary>gen_ai.usage.output_tokens: Gemini's thoughts are counted apart from the candidates, so they are added.</summary>
    public static long OutputTokens(SyntheticCall call) => call.Provider == SyntheticProvider.Gemini
        ? call.Usage.OutputTokens + call.Usage.ReasoningTokens
        : call.Usage.OutputTokens;

    /// <summary>The text parts of the first output message, joined.</summary>
    public static string OutputText(JsonObject llm)
    {
        var messages = llm["gen_ai.output.messages"] as JsonArray;
        if (messages is null || messages.Count == 0)
        {
            return "";
        }
        return string.Concat(((JsonArray)messages[0]!["parts"]!)
            .Where(p => (string?)p!["type"] == "text")
            .Select(p => (string?)p!["content"]));
    }

    /// <summary>The tool calls of the first output message: name and arguments as compact JSON.</summary>
    public static List<(string? Id, string Name, string Arguments)> ToolCalls(JsonObject llm)
    {
        var messages = llm["gen_ai.output.messages"] as JsonArray;
        if (messages is null || messages.Count == 0)
        {
            return [];
        }
        return [.. ((JsonArray)messages[0]!["parts"]!)
            .Where(p => (string?)p!["type"] == "tool_call")
            .Select(p => ((string?)p!["id"], (string)p["name"]!, p["arguments"]!.ToJsonString()))];
    }

    public static long Long(JsonObject fields, string key) => fields[key]?.GetValue<long>() ?? -1;

    public static string? Str(JsonObject fields, string key) => fields[key] is JsonValue v ? v.GetValue<string>() : null;

    public static JsonObject Fields(AgentEvent evt) => evt.Fields ?? throw new InvalidOperationException($"{evt} has no JSON payload");
}
