using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Traffic;

namespace AgentSight.Demo;

/// <summary>
/// What the demo's model answers. The bundled agent asks it for a report on the machine; the model has it run two
/// shell commands, write the report, then answers. Which step the agent is at comes from the request itself (how
/// many tool results it sends back), so the endpoint keeps no state; the answers are written in each provider's real
/// streaming format by the synthetic traffic generator's writers.
/// </summary>
internal static class DemoScenario
{
    private static readonly AnthropicApi Anthropic = new();
    private static readonly OpenAiChatApi OpenAi = new();
    private static readonly GeminiApi Gemini = new();
    private static readonly ModelChoice AnthropicModel = new("claude-sonnet-4-5", "claude-sonnet-4-5-20250929");
    private static readonly ModelChoice OpenAiModel = new("gpt-4.1-mini", "gpt-4.1-mini-2025-04-14");
    private static readonly ModelChoice GeminiModel = new("gemini-2.5-flash", "gemini-2.5-flash");

    /// <summary>The response to a request, or null when the path is not one the demo serves.</summary>
    public static (ResponseWire Wire, string Description)? Respond(string path, byte[] body, SyntheticRandom random)
    {
        JsonObject? request;
        try
        {
            request = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            request = null;
        }
        var messages = request?["messages"] as JsonArray ?? [];
        if (path.StartsWith("/v1/messages", StringComparison.Ordinal))
        {
            var (answer, description) = AnthropicStep(messages, random);
            return (Wire(Anthropic, AnthropicModel, answer, random), description);
        }
        if (path.StartsWith("/v1/chat/completions", StringComparison.Ordinal))
        {
            var report = LastUserText(messages);
            var answer = new LlmAnswer($"In short: {FirstLine(report, "the report")} — a small machine, ready for work. ✅", null);
            return (Wire(OpenAi, OpenAiModel, answer, random), "summary");
        }
        if (path.StartsWith($"/v1beta/models/{GeminiModel.Requested}:streamGenerateContent", StringComparison.Ordinal))
        {
            var answer = new LlmAnswer("Machine report: kernel and workspace at a glance", null);
            return (Wire(Gemini, GeminiModel, answer, random), "title");
        }
        return null;
    }

    private static (LlmAnswer Answer, string Description) AnthropicStep(JsonArray messages, SyntheticRandom random)
    {
        var results = ToolResults(messages);
        var id = "toolu_01" + random.Chars(22, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
        switch (results.Count)
        {
            case 0:
                return (new LlmAnswer("I'll start by checking which system this is.",
                    new SyntheticToolCall(id, "run_command", """{"command":"uname -sr"}""")), "tool call: run_command uname -sr");
            case 1:
                return (new LlmAnswer("Now let me look at the workspace.",
                    new SyntheticToolCall(id, "run_command", """{"command":"ls -la"}""")), "tool call: run_command ls -la");
            case 2:
                var report = new StringBuilder()
                    .Append("# Machine report\n\n")
                    .Append("- Kernel: ").Append(FirstLine(results[0], "unknown")).Append('\n')
                    .Append("- Workspace entries: ").Append(results[1].Split('\n', StringSplitOptions.RemoveEmptyEntries).Length).Append('\n')
                    .Append("\nWritten by the AgentSight demo agent.\n")
                    .ToString();
                var arguments = new JsonObject { ["path"] = "report.md", ["content"] = report }.ToJsonString();
                return (new LlmAnswer("", new SyntheticToolCall(id, "write_file", arguments)), "tool call: write_file report.md");
            default:
                return (new LlmAnswer("Done: I wrote **report.md** with the kernel version and what the workspace holds. "
                    + "Anything else you want me to check?", null), "final answer");
        }
    }

    private static ResponseWire Wire(LlmApi api, ModelChoice model, LlmAnswer answer, SyntheticRandom random)
    {
        var request = new LlmRequest(model.Requested, "", [], [], Stream: true, MaxTokens: 1024, Temperature: 1);
        var usage = new TokenUsage(random.Next(200, 900), Math.Max(1, Encoding.UTF8.GetByteCount(answer.Text) / 4) + 12, 0, 0, 0);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var response = api.Respond(new ResponseContext(request, answer, usage, model, created, random));
        var headers = api.ResponseHeaders(stream: true, api.NewRequestId(random), DateTimeOffset.UtcNow, random);
        return HttpWire.Response(headers, response, random);
    }

    /// <summary>The text of every tool result the request sends back, oldest first.</summary>
    private static List<string> ToolResults(JsonArray messages)
    {
        var results = new List<string>();
        foreach (var message in messages.OfType<JsonObject>())
        {
            if (message["content"] is not JsonArray blocks)
            {
                continue;
            }
            foreach (var block in blocks.OfType<JsonObject>())
            {
                if ((string?)block["type"] == "tool_result")
                {
                    results.Add(block["content"] switch
                    {
                        JsonValue value when value.TryGetValue(out string? text) => text,
                        JsonNode node => node.ToJsonString(),
                        null => "",
                    });
                }
            }
        }
        return results;
    }

    private static string LastUserText(JsonArray messages) =>
        messages.OfType<JsonObject>().LastOrDefault(m => (string?)m["role"] == "user")?["content"] is JsonValue value
            && value.TryGetValue(out string? text) ? text : "";

    private static string FirstLine(string text, string fallback)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(line) ? fallback : line.TrimStart('#', ' ');
    }
}
