using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Otlp;

/// <summary>JSON values as OTLP attribute values: strings, integers, doubles, booleans, arrays of one of them; anything else as JSON text.</summary>
internal static class AttributeValues
{
    public static object? From(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonValue value:
                return value.GetValueKind() switch
                {
                    JsonValueKind.String => value.GetValue<string>(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Number => Number(value),
                    _ => null,
                };
            case JsonArray array when array.Count > 0 && array.All(i => i is JsonValue v && v.GetValueKind() == JsonValueKind.String):
                return array.Select(i => i!.GetValue<string>()).ToArray();
            case JsonArray array when array.Count > 0 && array.All(i => i is JsonValue v && v.GetValueKind() == JsonValueKind.Number && Number(v) is long):
                return array.Select(i => (long)Number((JsonValue)i!)).ToArray();
            default:
                return node.ToJsonString();
        }
    }

    /// <summary>
    /// A JSON number as a long when it is whole, else a double, whatever CLR type backs the node (parsed JSON, or an
    /// int, long or double an analyzer put there: <see cref="JsonValue.TryGetValue{T}"/> only converts the first).
    /// </summary>
    public static object Number(JsonValue value)
    {
        var text = value.ToJsonString();
        // Boxed in each branch: a conditional of long and double would be a double.
        return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var whole)
            ? (object)whole
            : (object)double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The fields of <paramref name="attributes"/> as span attributes, content left out unless asked for.</summary>
    public static List<KeyValuePair<string, object?>> FromObject(JsonObject? attributes, bool captureContent)
    {
        var list = new List<KeyValuePair<string, object?>>();
        foreach (var (key, value) in attributes ?? [])
        {
            if (!captureContent && ContentFields.Attributes.Contains(key))
            {
                continue;
            }
            if (From(value) is { } converted)
            {
                list.Add(new(key, converted));
            }
        }
        return list;
    }
}
