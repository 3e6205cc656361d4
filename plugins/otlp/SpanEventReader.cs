using System.Diagnostics;
using System.Text.Json;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Otlp;

/// <summary>Reads a <c>span</c> event (the shape agreed for contracts 1.5, docs/OTLP.md) into a <see cref="SpanRecord"/>.</summary>
internal static class SpanEventReader
{
    /// <returns>The span, or null with <paramref name="problem"/> saying what is wrong with the event.</returns>
    public static SpanRecord? Read(ReadOnlyEvent evt, bool captureContent, out string? problem)
    {
        problem = null;
        if (!evt.HasFields)
        {
            problem = "its payload is not a JSON object";
            return null;
        }
        var fields = evt.Fields;
        var traceId = Text(fields["trace_id"]);
        var spanId = Text(fields["span_id"]);
        var parent = Text(fields["parent_span_id"]);
        if (!SpanIds.IsHex(traceId, 32))
        {
            problem = "trace_id is not 32 hex digits";
            return null;
        }
        if (!SpanIds.IsHex(spanId, 16))
        {
            problem = "span_id is not 16 hex digits";
            return null;
        }
        if (parent is not null && !SpanIds.IsHex(parent, 16))
        {
            problem = "parent_span_id is neither null nor 16 hex digits";
            return null;
        }
        if (Number(fields["start_ns"]) is not { } start || Number(fields["end_ns"]) is not { } end || end < start)
        {
            problem = "start_ns and end_ns are not epoch nanoseconds with start_ns <= end_ns";
            return null;
        }
        var name = Text(fields["name"]) is { Length: > 0 } given ? given : Text(fields["operation"]) ?? "span";
        var kind = Text(fields["kind"]) switch
        {
            "client" => ActivityKind.Client,
            "server" => ActivityKind.Server,
            "producer" => ActivityKind.Producer,
            "consumer" => ActivityKind.Consumer,
            _ => ActivityKind.Internal,
        };
        var status = Text(fields["status"]) switch
        {
            "ok" => ActivityStatusCode.Ok,
            "error" => ActivityStatusCode.Error,
            _ => ActivityStatusCode.Unset,
        };
        var attributes = AttributeValues.FromObject(fields["attributes"], captureContent);
        if (Text(fields["operation"]) is { } operation && !attributes.Exists(a => a.Key == "gen_ai.operation.name"))
        {
            attributes.Add(new("agentsight.operation", operation));
        }
        // The process the span concerns (a process span's own, the run's root), else the agent that wrote it: its container is the span's resource.
        var pid = evt.Pid;
        if (fields["ref"] is { ValueKind: JsonValueKind.Object } reference && Text(reference["source"]) is { } refSource)
        {
            attributes.Add(new("agentsight.ref.source", refSource));
            if (reference["key"] is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } key)
            {
                attributes.Add(new("agentsight.ref.key", AttributeValues.From(key)));
            }
            if (Number(reference["pid"]) is { } refPid)
            {
                attributes.Add(new("agentsight.ref.pid", refPid));
                if (refSource == EventSources.Process && refPid is > 0 and <= int.MaxValue)
                {
                    pid = (int)refPid;
                }
            }
        }
        return new SpanRecord(
            ActivityTraceId.CreateFromString(traceId!.ToLowerInvariant()),
            ActivitySpanId.CreateFromString(spanId!.ToLowerInvariant()),
            parent is null ? default : ActivitySpanId.CreateFromString(parent.ToLowerInvariant()),
            name, kind, start, end, status, Text(fields["status_message"]), attributes, pid);
    }

    internal static string? Text(ReadOnlyJson node) => node.GetString();

    internal static long? Number(ReadOnlyJson node) =>
        node.ValueKind == JsonValueKind.Number
            ? AttributeValues.Number(node) switch
            {
                long whole => whole,
                double real when double.IsFinite(real) && Math.Abs(real) < 9e18 => (long)real,
                _ => null,
            }
            : null;

    internal static double? Real(ReadOnlyJson node) =>
        node.ValueKind == JsonValueKind.Number
            ? Convert.ToDouble(AttributeValues.Number(node), System.Globalization.CultureInfo.InvariantCulture)
            : null;
}
