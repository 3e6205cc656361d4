using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Common.Model;

/// <summary>
/// Tolerant reads of event fields. The producers of <c>http</c>, <c>llm</c> and <c>process</c> events may still refine
/// their shapes, and recordings of the original tool carry other types: a missing or mistyped field reads as null,
/// never as an exception.
/// </summary>
public static class JsonRead
{
    public static string? Str(JsonObject? obj, string key) =>
        obj?[key] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static long? Long(JsonObject? obj, string key)
    {
        if (obj?[key] is not JsonValue value)
        {
            return null;
        }
        switch (value.GetValueKind())
        {
            case JsonValueKind.Number:
                if (TryInteger(value, out var integer))
                {
                    return integer;
                }
                return TryReal(value, out var real) && real is >= long.MinValue and <= long.MaxValue ? (long)real : null;
            case JsonValueKind.String:
                // Some producers write numbers as text (the original's process lines quote nothing, but logs vary).
                return long.TryParse(value.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            default:
                return null;
        }
    }

    public static double? Double(JsonObject? obj, string key)
    {
        if (obj?[key] is not JsonValue value)
        {
            return null;
        }
        return value.GetValueKind() switch
        {
            JsonValueKind.Number when TryReal(value, out var real) => real,
            JsonValueKind.String when double.TryParse(value.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
                && double.IsFinite(parsed) => parsed,
            _ => null,
        };
    }

    /// <summary>
    /// A number as an integer. Parsed values convert to any numeric type, but a value a plugin built in memory
    /// (<c>["ppid"] = header.Ppid</c>, a uint) converts only to its own type: every integer type is tried.
    /// </summary>
    private static bool TryInteger(JsonValue value, out long result)
    {
        if (value.TryGetValue(out long l))
        {
            result = l;
            return true;
        }
        if (value.TryGetValue(out int i))
        {
            result = i;
            return true;
        }
        if (value.TryGetValue(out uint u))
        {
            result = u;
            return true;
        }
        if (value.TryGetValue(out ulong ul))
        {
            result = unchecked((long)ul);
            return true;
        }
        if (value.TryGetValue(out short s))
        {
            result = s;
            return true;
        }
        if (value.TryGetValue(out ushort us))
        {
            result = us;
            return true;
        }
        if (value.TryGetValue(out byte b))
        {
            result = b;
            return true;
        }
        result = 0;
        return false;
    }

    private static bool TryReal(JsonValue value, out double result)
    {
        if (value.TryGetValue(out double d) && double.IsFinite(d))
        {
            result = d;
            return true;
        }
        if (value.TryGetValue(out float f) && float.IsFinite(f))
        {
            result = f;
            return true;
        }
        if (value.TryGetValue(out decimal m))
        {
            result = (double)m;
            return true;
        }
        if (TryInteger(value, out var integer))
        {
            result = integer;
            return true;
        }
        result = 0;
        return false;
    }

    public static bool? Bool(JsonObject? obj, string key) =>
        obj?[key] is JsonValue value ? value.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        } : null;

    public static JsonObject? Obj(JsonObject? obj, string key) => obj?[key] as JsonObject;

    public static JsonArray? Arr(JsonObject? obj, string key) => obj?[key] as JsonArray;

    /// <summary>The strings of an array field (other items skipped), or null when the field is not an array.</summary>
    public static List<string>? Strings(JsonObject? obj, string key)
    {
        if (Arr(obj, key) is not { } array)
        {
            return null;
        }
        var list = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                list.Add(value.GetValue<string>());
            }
        }
        return list;
    }

    /// <summary>A field as JSON text, whatever its type; null when absent.</summary>
    public static string? Raw(JsonObject? obj, string key) => obj?[key]?.ToJsonString();
}
