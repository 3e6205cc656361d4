using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Trace;

/// <summary>Tolerant reads of a JSON object model: a missing or mistyped value is null, never an exception.</summary>
internal static class Json
{
    public static string? Str(JsonNode? node, string name) =>
        node is JsonObject obj && obj[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static JsonObject? Obj(JsonNode? node, string name) => node is JsonObject obj ? obj[name] as JsonObject : null;

    public static JsonArray? Arr(JsonNode? node, string name) => node is JsonObject obj ? obj[name] as JsonArray : null;

    public static bool? Bool(JsonNode? node, string name) =>
        node is JsonObject obj && obj[name] is JsonValue value
            ? value.GetValueKind() switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null }
            : null;

    public static long? Long(JsonNode? node, string name) => Double(node, name) is { } d && d is >= long.MinValue and <= long.MaxValue ? (long)d : null;

    /// <summary>A number, whether parsed from JSON or set by another analyzer from a CLR number (whose <c>TryGetValue</c> answers only to its own type).</summary>
    public static double? Double(JsonNode? node, string name)
    {
        if (node is not JsonObject obj || obj[name] is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }
        if (value.TryGetValue(out long l))
        {
            return l;
        }
        if (value.TryGetValue(out int i))
        {
            return i;
        }
        if (value.TryGetValue(out double d))
        {
            return d;
        }
        if (value.TryGetValue(out ulong u))
        {
            return u;
        }
        if (value.TryGetValue(out float f))
        {
            return f;
        }
        return value.TryGetValue(out decimal m) ? (double)m : null;
    }

    /// <summary>Every string value inside <paramref name="node"/> (object values and array items, at any depth).</summary>
    public static IEnumerable<string> Strings(JsonNode? node)
    {
        switch (node)
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                yield return value.GetValue<string>();
                break;
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    foreach (var s in Strings(child))
                    {
                        yield return s;
                    }
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    foreach (var s in Strings(child))
                    {
                        yield return s;
                    }
                }
                break;
        }
    }

    /// <summary>A value as text: a string as it is, anything else as compact JSON; null stays null.</summary>
    public static string? Text(JsonNode? node) =>
        node is null ? null : node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : node.ToJsonString();
}
