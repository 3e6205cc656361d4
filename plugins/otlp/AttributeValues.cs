using System.Text.Json;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Otlp;

/// <summary>JSON values as OTLP attribute values: strings, integers, doubles, booleans, arrays of one of them; anything else as JSON text.</summary>
internal static class AttributeValues
{
    public static object? From(ReadOnlyJson node)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return node.GetString();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number:
                return Number(node);
            case JsonValueKind.Array when node.Count > 0 && node.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String):
                return node.EnumerateArray().Select(i => i.GetString()!).ToArray();
            case JsonValueKind.Array when node.Count > 0 && node.EnumerateArray().All(i => i.ValueKind == JsonValueKind.Number && Number(i) is long):
                return node.EnumerateArray().Select(i => (long)Number(i)).ToArray();
            default:
                return node.ToJsonString();
        }
    }

    /// <summary>
    /// A JSON number as a long when it is whole, else a double, whatever CLR type backs the node (parsed JSON, or an
    /// int, long or double an analyzer put there: <see cref="JsonValue.TryGetValue{T}"/> only converts the first).
    /// </summary>
    public static object Number(ReadOnlyJson value)
    {
        var text = value.ToJsonString();
        // Boxed in each branch: a conditional of long and double would be a double.
        return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var whole)
            ? (object)whole
            : (object)double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The fields of <paramref name="attributes"/> as span attributes, content left out unless asked for.</summary>
    public static List<KeyValuePair<string, object?>> FromObject(ReadOnlyJson attributes, bool captureContent)
    {
        var list = new List<KeyValuePair<string, object?>>();
        foreach (var (key, value) in attributes.EnumerateObject())
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
