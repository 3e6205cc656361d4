using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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
            case JsonPayload json:
                AppendFields(text, json.Fields);
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

    private static void AppendFields(StringBuilder text, JsonObject fields)
    {
        if (fields.Count == 0)
        {
            text.Append("no fields");
            return;
        }
        text.Append("fields ");
        var first = true;
        foreach (var (name, value) in fields)
        {
            text.Append(first ? string.Empty : ", ").Append(name).Append(" (").Append(Kind(value)).Append(')');
            first = false;
        }
    }

    private static string Kind(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject obj => obj.Count == 1 ? "object, 1 field" : $"object, {obj.Count.ToString(CultureInfo.InvariantCulture)} fields",
        JsonArray array => array.Count == 1 ? "array, 1 item" : $"array, {array.Count.ToString(CultureInfo.InvariantCulture)} items",
        JsonValue scalar => scalar.GetValueKind() switch
        {
            JsonValueKind.String => $"string, {scalar.GetValue<string>().Length.ToString(CultureInfo.InvariantCulture)} chars",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Null => "null",
            var other => other.ToString().ToLowerInvariant(),
        },
        _ => value.GetType().Name,
    };
}
