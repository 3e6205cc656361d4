using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Common.JsonNodes;

/// <summary>Tolerant reads of a JSON object model: a missing or mistyped value is null, never an exception.</summary>
public static class Json
{
    public static string? Str(JsonNode? node, string name) =>
        node is JsonObject obj && obj[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static string? Str(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static long? Long(JsonNode? node, string name) =>
        node is JsonObject obj && obj[name] is JsonValue value && Number(value) is { } d && d is >= long.MinValue and <= long.MaxValue
            ? (long)d
            : null;

    public static double? Double(JsonNode? node, string name) =>
        node is JsonObject obj && obj[name] is JsonValue value ? Number(value) : null;

    /// <summary>
    /// A number, whether the value was parsed from JSON or made by another analyzer from a CLR number (whose
    /// <c>TryGetValue</c> only answers to its own type).
    /// </summary>
    private static double? Number(JsonValue value)
    {
        if (value.GetValueKind() != JsonValueKind.Number)
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

    public static bool? Bool(JsonNode? node, string name) =>
        node is JsonObject obj && obj[name] is JsonValue value
            ? value.GetValueKind() switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => null,
            }
            : null;

    public static JsonObject? Obj(JsonNode? node, string name) => node is JsonObject obj ? obj[name] as JsonObject : null;

    public static JsonArray? Arr(JsonNode? node, string name) => node is JsonObject obj ? obj[name] as JsonArray : null;

    /// <summary>A deep copy (nodes have one parent), or null.</summary>
    public static JsonNode? Copy(JsonNode? node) => node?.DeepClone();

    /// <summary>UTF-8 bytes parsed as JSON, or null when they are not JSON.</summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return utf8.IsEmpty ? null : JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Parses JSON text; null when it is not JSON.</summary>
    public static JsonNode? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.StartsWith("HEX:", StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A tool call's arguments: parsed when they are JSON text, else kept as the text.</summary>
    public static JsonNode? Arguments(JsonNode? node)
    {
        if (Str(node) is { } text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return new JsonObject();
            }
            return Parse(text) ?? JsonValue.Create(text);
        }
        return Copy(node);
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
