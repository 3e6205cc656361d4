using System.Globalization;
using System.Text.Json;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Common.Model;

/// <summary>
/// Tolerant reads of event fields, through the read-only view sinks get. The producers of <c>http</c>, <c>llm</c> and
/// <c>process</c> events may still refine their shapes, and recordings of the original tool carry other types: a
/// missing or mistyped field reads as null, never as an exception.
/// </summary>
public static class JsonRead
{
    public static string? Str(ReadOnlyJson? obj, string key) => obj?[key].GetString();

    public static long? Long(ReadOnlyJson? obj, string key)
    {
        if (obj?[key] is not { } value)
        {
            return null;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                if (TryInteger(value, out var integer))
                {
                    return integer;
                }
                return TryReal(value, out var real) && real is >= long.MinValue and <= long.MaxValue ? (long)real : null;
            case JsonValueKind.String:
                // Some producers write numbers as text (the original's process lines quote nothing, but logs vary).
                return long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            default:
                return null;
        }
    }

    public static double? Double(ReadOnlyJson? obj, string key)
    {
        if (obj?[key] is not { } value)
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.Number when TryReal(value, out var real) => real,
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
                && double.IsFinite(parsed) => parsed,
            _ => null,
        };
    }

    /// <summary>
    /// A number as an integer. Parsed values convert to any numeric type, but a value a plugin built in memory
    /// (<c>["ppid"] = header.Ppid</c>, a uint) converts only to its own type: every integer type is tried.
    /// </summary>
    private static bool TryInteger(ReadOnlyJson value, out long result)
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

    private static bool TryReal(ReadOnlyJson value, out double result)
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

    public static bool? Bool(ReadOnlyJson? obj, string key) => obj?[key].ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>An object field, or null when the field is missing or not an object.</summary>
    public static ReadOnlyJson? Obj(ReadOnlyJson? obj, string key) =>
        obj?[key] is { ValueKind: JsonValueKind.Object } value ? value : null;

    /// <summary>An array field, or null when the field is missing or not an array.</summary>
    public static ReadOnlyJson? Arr(ReadOnlyJson? obj, string key) =>
        obj?[key] is { ValueKind: JsonValueKind.Array } value ? value : null;

    /// <summary>The strings of an array field (other items skipped), or null when the field is not an array.</summary>
    public static List<string>? Strings(ReadOnlyJson? obj, string key)
    {
        if (Arr(obj, key) is not { } array)
        {
            return null;
        }
        var list = new List<string>(array.Count);
        foreach (var item in array.EnumerateArray())
        {
            if (item.GetString() is { } text)
            {
                list.Add(text);
            }
        }
        return list;
    }

    /// <summary>A field as JSON text, whatever its type; null when absent or null.</summary>
    public static string? Raw(ReadOnlyJson? obj, string key) =>
        obj?[key] is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } value ? value.ToJsonString() : null;
}
