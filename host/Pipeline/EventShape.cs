using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>
/// What an event is without what it says: its source, process, time, payload kind, sizes and top-level field names.
/// Enough to tell which event broke a stage; nothing that redaction would have to hide.
/// </summary>
internal static class EventShape
{
    /// <summary>E.g. <c>http event of pid 42 (tid 43, comm "node") at 2026-11-24T10:00:00.0000000Z: fields method (string, 4 chars), …</c>.</summary>
    public static string Describe(AgentEvent evt)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{evt.Source} event of pid {evt.Pid} (tid {evt.Tid}, comm \"{evt.Comm}\") at {Time(evt.Timestamp)}: ");
        switch (evt.Data)
        {
            case TlsPayload tls:
                text.Append(CultureInfo.InvariantCulture, $"TLS {tls.Function} of {tls.Length} bytes");
                text.Append(tls.HasBytes ? string.Empty : " (no bytes captured)");
                text.Append(tls.BytesLost > 0 ? $", {tls.BytesLost.ToString(CultureInfo.InvariantCulture)} lost" : string.Empty);
                break;
            case HttpBodyPayload body:
                text.Append(CultureInfo.InvariantCulture, $"HTTP body piece of {body.Bytes.Length} bytes at offset {body.Offset}");
                break;
            case JsonPayload:
                // Through the view: a sink's failure describes an event that is already shared.
                AppendFields(text, evt.AsReadOnly().Fields);
                break;
            default:
                text.Append(evt.Data.GetType().Name);
                break;
        }
        return text.ToString();
    }

    private static string Time(long timestamp) =>
        timestamp >= 0
            ? DateTimeOffset.UnixEpoch.AddTicks(timestamp / 100).ToString("O", CultureInfo.InvariantCulture)
            : timestamp.ToString(CultureInfo.InvariantCulture);

    private static void AppendFields(StringBuilder text, ReadOnlyJson fields)
    {
        if (fields.Count == 0)
        {
            text.Append("no fields");
            return;
        }
        text.Append("fields ");
        var first = true;
        foreach (var (name, value) in fields.EnumerateObject())
        {
            text.Append(first ? string.Empty : ", ").Append(name).Append(" (").Append(Kind(value)).Append(')');
            first = false;
        }
    }

    private static string Kind(ReadOnlyJson value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.Count == 1 ? "object, 1 field" : $"object, {value.Count.ToString(CultureInfo.InvariantCulture)} fields",
        JsonValueKind.Array => value.Count == 1 ? "array, 1 item" : $"array, {value.Count.ToString(CultureInfo.InvariantCulture)} items",
        JsonValueKind.String => $"string, {value.GetString()!.Length.ToString(CultureInfo.InvariantCulture)} chars",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        var other => other.ToString().ToLowerInvariant(),
    };
}
