using System.Globalization;
using System.Text.Json.Nodes;

namespace AgentSight.Tests.Otlp;

/// <summary>
/// A recording made by hand in the agreed shape of <c>span</c> events (contracts 1.5), as a trace analyzer writes
/// them: an agent run, its chat, the tool the model chose and the process that tool ran, children before parents;
/// with the process and llm events they stand for, and prompt content that must not leave without opt-in.
/// </summary>
internal static class SpanSession
{
    public const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    public const string AgentSpan = "00f067aa0ba902b7";
    public const string ChatSpan = "b7ad6b7169203331";
    public const string ToolSpan = "e457b5a2e4d86bd1";
    public const string ProcessSpan = "53995c3f42cd8ad8";
    public const string Secret = "the user's private prompt";

    /// <summary>The lines, timed from a minute ago (a backend may refuse telemetry from long ago).</summary>
    public static string Lines()
    {
        var t0 = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000) * 1_000_000;
        long At(double ms) => t0 + (long)(ms * 1_000_000);
        var lines = new List<JsonObject>
        {
            Event(At(0), "process", 4242, "claude", new JsonObject { ["event"] = "EXEC", ["ppid"] = 1000, ["filename"] = "/usr/bin/claude", ["argv"] = new JsonArray("claude", "-p", "fix it") }),
            Event(At(100), "llm", 4242, "claude", new JsonObject
            {
                ["gen_ai.provider.name"] = "anthropic", ["gen_ai.operation.name"] = "chat", ["gen_ai.request.model"] = "claude-sonnet-4-5",
                ["gen_ai.usage.input_tokens"] = 1200, ["gen_ai.usage.output_tokens"] = 80, ["duration_ms"] = 900.5, ["exchange_id"] = "4242:0x1:1",
                ["gen_ai.input.messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(new JsonObject { ["type"] = "text", ["content"] = Secret }) }),
            }),
            Span(At(1100), ChatSpan, AgentSpan, "chat claude-sonnet-4-5", "chat", "client", At(100), At(1000), "ok", new JsonObject
            {
                ["gen_ai.operation.name"] = "chat", ["gen_ai.provider.name"] = "anthropic", ["gen_ai.request.model"] = "claude-sonnet-4-5",
                ["gen_ai.usage.input_tokens"] = 1200, ["gen_ai.usage.output_tokens"] = 80, ["agentsight.cost.usd"] = 0.0048,
                ["gen_ai.input.messages"] = $"[{{\"role\":\"user\",\"parts\":[{{\"type\":\"text\",\"content\":\"{Secret}\"}}]}}]",
            }, new JsonObject { ["source"] = "llm", ["key"] = "4242:0x1:1" }),
            Event(At(1200), "process", 4300, "npm", new JsonObject { ["event"] = "EXEC", ["ppid"] = 4242, ["filename"] = "/usr/bin/npm", ["argv"] = new JsonArray("npm", "test") }),
            Event(At(2900), "process", 4300, "npm", new JsonObject { ["event"] = "EXIT", ["ppid"] = 4242, ["exit_code"] = 1 }),
            Span(At(2950), ProcessSpan, ToolSpan, "process npm", "process", "internal", At(1200), At(2900), "error", new JsonObject
            {
                ["process.pid"] = 4300, ["process.command_line"] = "npm test", ["process.exit.code"] = 1,
            }, new JsonObject { ["source"] = "process", ["pid"] = 4300 }, statusMessage: "exit code 1"),
            Span(At(3100), ToolSpan, AgentSpan, "execute_tool Bash", "execute_tool", "internal", At(1000), At(3050), "ok", new JsonObject
            {
                ["gen_ai.operation.name"] = "execute_tool", ["gen_ai.tool.name"] = "Bash", ["gen_ai.tool.call.id"] = "toolu_01",
                ["gen_ai.tool.call.arguments"] = "{\"command\":\"npm test\"}",
            }, null),
            Span(At(4000), AgentSpan, null, "invoke_agent claude", "invoke_agent", "internal", At(0), At(3900), "unset", new JsonObject
            {
                ["gen_ai.operation.name"] = "invoke_agent", ["gen_ai.agent.name"] = "claude", ["process.pid"] = 4242,
            }, new JsonObject { ["source"] = "process", ["pid"] = 4242 }),
        };
        return string.Join('\n', lines.Select(l => l.ToJsonString())) + "\n";
    }

    private static JsonObject Event(long timestamp, string source, int pid, string comm, JsonObject data) => new()
    {
        ["timestamp"] = timestamp, ["source"] = source, ["pid"] = pid, ["tid"] = pid, ["comm"] = comm, ["data"] = data,
    };

    private static JsonObject Span(long timestamp, string spanId, string? parent, string name, string operation, string kind, long start, long end,
        string status, JsonObject attributes, JsonObject? reference, string? statusMessage = null) =>
        Event(timestamp, "span", 4242, "claude", new JsonObject
        {
            ["trace_id"] = TraceId, ["span_id"] = spanId, ["parent_span_id"] = parent, ["name"] = name, ["operation"] = operation,
            ["kind"] = kind, ["start_ns"] = start, ["end_ns"] = end, ["status"] = status, ["status_message"] = statusMessage,
            ["attributes"] = attributes, ["ref"] = reference,
        });

    public static string Ns(long value) => value.ToString(CultureInfo.InvariantCulture);
}
