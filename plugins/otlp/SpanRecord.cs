using System.Diagnostics;

namespace AgentSight.Plugins.Otlp;

/// <summary>One span to export, with the ids and times it was given (a <c>span</c> event's, or one made here).</summary>
/// <param name="Pid">The process the span concerns, whose container names the resource it is exported under.</param>
internal sealed record SpanRecord(
    ActivityTraceId TraceId,
    ActivitySpanId SpanId,
    ActivitySpanId ParentSpanId,
    string Name,
    ActivityKind Kind,
    long StartNs,
    long EndNs,
    ActivityStatusCode Status,
    string? StatusMessage,
    IReadOnlyList<KeyValuePair<string, object?>> Attributes,
    int Pid);
