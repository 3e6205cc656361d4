using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Trace;

/// <summary>One span, filled in as the trace is built and written as a <c>span</c> event once it ends.</summary>
internal sealed class SpanRecord
{
    public required string TraceId { get; init; }

    public required string SpanId { get; init; }

    public string? ParentSpanId { get; set; }

    public required string Name { get; set; }

    public required string Operation { get; init; }

    /// <summary><c>client</c> for calls that leave the agent (a model, an MCP server), <c>internal</c> otherwise.</summary>
    public string Kind { get; init; } = "internal";

    public long StartNs { get; set; }

    public long EndNs { get; set; }

    /// <summary><c>ok</c>, <c>error</c> or <c>unset</c> (the end was not seen: no result, still running).</summary>
    public string Status { get; set; } = "ok";

    public string? StatusMessage { get; set; }

    public JsonObject Attributes { get; } = [];

    /// <summary>The event the span stands for, for a click in the UI: <c>{"source":"llm","key":…}</c>, <c>{"source":"process","pid":…}</c>.</summary>
    public JsonObject? Ref { get; set; }

    /// <summary>Sets an attribute when it has a value (OpenTelemetry leaves out what it does not know).</summary>
    public SpanRecord Set(string key, JsonNode? value)
    {
        if (value is not null)
        {
            Attributes[key] = value;
        }
        return this;
    }

    /// <summary>The <c>span</c> event, timestamped with the span's end; <paramref name="pid"/> is the agent's.</summary>
    public AgentEvent ToEvent(int pid, string comm) => new(EndNs, EventSources.Span, pid, 0, comm, new JsonPayload(new JsonObject
    {
        ["trace_id"] = TraceId,
        ["span_id"] = SpanId,
        ["parent_span_id"] = ParentSpanId,
        ["name"] = Name,
        ["operation"] = Operation,
        ["kind"] = Kind,
        ["start_ns"] = StartNs,
        ["end_ns"] = Math.Max(StartNs, EndNs),
        ["status"] = Status,
        ["status_message"] = StatusMessage,
        ["attributes"] = Attributes,
        ["ref"] = Ref,
    }));
}
