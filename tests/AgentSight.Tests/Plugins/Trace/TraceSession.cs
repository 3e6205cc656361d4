using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Trace;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Trace;

/// <summary>
/// A session written event by event as the capture and the llm analyzer would write it (process events, llm events
/// with GenAI messages), run through the trace analyzer.
/// </summary>
internal sealed class TraceSession
{
    private long _now = Some.Epoch;
    private int _exchange;

    public List<AgentEvent> Events { get; } = [];

    /// <summary>Moves time on by <paramref name="ms"/> milliseconds and returns it.</summary>
    public long After(double ms) => _now += (long)(ms * 1_000_000);

    public void Fork(int pid, int ppid, string comm) =>
        Events.Add(new AgentEvent(After(1), EventSources.Process, pid, pid, comm, new JsonPayload(new JsonObject { ["event"] = "FORK", ["ppid"] = ppid })));

    public void Exec(int pid, int ppid, params string[] argv) =>
        Events.Add(new AgentEvent(After(1), EventSources.Process, pid, pid, Path.GetFileName(argv[0]), new JsonPayload(new JsonObject
        {
            ["event"] = "EXEC", ["ppid"] = ppid, ["filename"] = argv[0], ["argv"] = new JsonArray([.. argv.Select(a => (JsonNode)a)]),
        })));

    public void Exit(int pid, int ppid, int code = 0) =>
        Events.Add(new AgentEvent(After(1), EventSources.Process, pid, pid, "x", new JsonPayload(new JsonObject
        {
            ["event"] = "EXIT", ["ppid"] = ppid, ["exit_code"] = code,
        })));

    /// <summary>A process started by <paramref name="ppid"/> that runs <paramref name="argv"/> and exits.</summary>
    public void Run(int pid, int ppid, int code, params string[] argv)
    {
        Fork(pid, ppid, "sh");
        Exec(pid, ppid, argv);
        Exit(pid, ppid, code);
    }

    public void Open(int pid, string path, bool write) =>
        Events.Add(new AgentEvent(After(1), EventSources.Process, pid, pid, "x", new JsonPayload(new JsonObject
        {
            ["event"] = "FILE_OPEN", ["filepath"] = path, ["flags"] = write ? 0x241 : 0, ["fd"] = 5,
        })));

    /// <summary>One model call of 100 ms: its http event (the request's start), then its llm event at the response's end.</summary>
    /// <returns>The call's exchange id.</returns>
    public string Call(int pid, string comm, JsonArray input, JsonArray outputParts, string model = "claude-sonnet-4-5", string system = "You are an agent.")
    {
        var exchange = $"{pid}:0x1:{++_exchange}";
        var start = After(1);
        var end = After(100);
        Events.Add(new AgentEvent(end, "http", pid, pid, comm, new JsonPayload(new JsonObject
        {
            ["exchange_id"] = exchange, ["request"] = new JsonObject { ["start_ns"] = start, ["end_ns"] = start + 1000 },
        })));
        Events.Add(new AgentEvent(end, "llm", pid, pid, comm, new JsonPayload(new JsonObject
        {
            ["gen_ai.provider.name"] = "anthropic",
            ["gen_ai.operation.name"] = "chat",
            ["gen_ai.request.model"] = model,
            ["gen_ai.response.model"] = model,
            ["gen_ai.usage.input_tokens"] = 1000,
            ["gen_ai.usage.output_tokens"] = 100,
            ["gen_ai.system_instructions"] = new JsonArray(new JsonObject { ["type"] = "text", ["content"] = system }),
            ["gen_ai.input.messages"] = input.DeepClone(),
            ["gen_ai.output.messages"] = new JsonArray(new JsonObject { ["role"] = "assistant", ["parts"] = outputParts.DeepClone() }),
            ["exchange_id"] = exchange,
            ["duration_ms"] = 99.0,
            ["complete"] = true,
            ["cost"] = new JsonObject { ["usd"] = 0.0045, ["unknown"] = false },
        })));
        return exchange;
    }

    public static JsonObject User(string text) => new() { ["role"] = "user", ["parts"] = new JsonArray(Text(text)) };

    public static JsonObject Text(string text) => new() { ["type"] = "text", ["content"] = text };

    public static JsonObject ToolCall(string id, string name, JsonObject arguments) =>
        new() { ["type"] = "tool_call", ["id"] = id, ["name"] = name, ["arguments"] = arguments };

    public static JsonObject Assistant(params JsonNode[] parts) => new() { ["role"] = "assistant", ["parts"] = new JsonArray([.. parts.Select(p => p.DeepClone())]) };

    public static JsonObject Results(params (string Id, string Output)[] results) => new()
    {
        ["role"] = "tool",
        ["parts"] = new JsonArray([.. results.Select(r => (JsonNode)new JsonObject { ["type"] = "tool_call_response", ["id"] = r.Id, ["response"] = r.Output })]),
    };

    /// <summary>Runs the session through a fresh trace analyzer (Process each event, then Flush); the spans, in the order written.</summary>
    public List<JsonObject> Spans(TestStageContext? context = null, TraceAnalyzerConfig? config = null) =>
        [.. Analyzed(context, config).Where(e => e.Source == EventSources.Span).Select(e => e.Fields!)];

    /// <summary>Every event the trace analyzer lets out: the session's, and the spans.</summary>
    public List<AgentEvent> Analyzed(TestStageContext? context = null, TraceAnalyzerConfig? config = null)
    {
        var analyzer = new TraceAnalyzerFactory().Create(config ?? new TraceAnalyzerConfig(), context ?? new TestStageContext());
        var output = new CapturingOutput();
        foreach (var evt in Events)
        {
            analyzer.Process(evt, output);
        }
        analyzer.Flush(output);
        return output.Events;
    }
}
