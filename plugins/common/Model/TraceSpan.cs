using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Common.Model;

/// <summary>One <c>span</c> event (the trace analyzer's: docs/EVENTS.md, "span"), read.</summary>
public sealed record TraceSpan(long EventSeq, string TraceId, string SpanId, string? ParentSpanId, string Name, string Operation, string Kind,
    long StartNs, long EndNs, string Status, string? StatusMessage, JsonObject Attributes, string? RefSource, string? RefKey, int? RefPid)
{
    /// <summary><c>run</c> for an agent run's span, <c>conversation</c> for a conversation's, else null.</summary>
    public string? Level => JsonRead.Str(AttributesView, "agentsight.trace.level");

    public double? CostUsd => JsonRead.Double(AttributesView, "agentsight.cost.usd");

    /// <summary>The attributes, for <see cref="JsonRead"/>.</summary>
    public ReadOnlyJson AttributesView => new(Attributes);

    /// <summary>Reads a span event; null when it lacks the ids or the times every span has.</summary>
    public static TraceSpan? Read(ReadOnlyEvent evt, long seq)
    {
        var f = evt.Fields;
        if (JsonRead.Str(f, "trace_id") is not { } trace || JsonRead.Str(f, "span_id") is not { } span
            || JsonRead.Long(f, "start_ns") is not { } start || JsonRead.Long(f, "end_ns") is not { } end)
        {
            return null;
        }
        var reference = JsonRead.Obj(f, "ref");
        return new TraceSpan(seq, trace, span, JsonRead.Str(f, "parent_span_id"), JsonRead.Str(f, "name") ?? "", JsonRead.Str(f, "operation") ?? "",
            JsonRead.Str(f, "kind") ?? "internal", start, end, JsonRead.Str(f, "status") ?? "unset", JsonRead.Str(f, "status_message"),
            JsonRead.Obj(f, "attributes")?.DeepClone()?.AsObject() ?? [], JsonRead.Str(reference, "source"), JsonRead.Str(reference, "key"),
            (int?)JsonRead.Long(reference, "pid"));
    }
}
