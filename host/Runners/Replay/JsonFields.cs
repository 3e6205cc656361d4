using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Host.Runners.Replay;

/// <summary>Strict reads of fields of the raw eBPF lines, with the reason when a field is missing or mistyped.</summary>
internal static class JsonFields
{
    public static bool TryGetInteger(JsonObject obj, string key, out long value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        error = null;
        switch (obj[key])
        {
            case null:
                error = $"missing \"{key}\"";
                return false;
            case JsonValue number when number.GetValueKind() == JsonValueKind.Number:
                if (number.TryGetValue(out value))
                {
                    return true;
                }
                if (number.TryGetValue(out ulong unsigned))
                {
                    // u64 values from C's %llu beyond long.MaxValue: keep the bits, as the envelope reader does.
                    value = unchecked((long)unsigned);
                    return true;
                }
                error = $"\"{key}\" is not an integer";
                return false;
            default:
                error = $"\"{key}\" is not an integer";
                return false;
        }
    }

    /// <summary>
    /// A process or thread id: a whole number from 0 (unknown) to <see cref="int.MaxValue"/>. A larger value would wrap
    /// into another process's id, a negative one names no process: neither is a value any recorder writes.
    /// </summary>
    /// <param name="obj">The object.</param>
    /// <param name="key">The key, e.g. <c>pid</c>.</param>
    /// <param name="what">"process" or "thread", for the message.</param>
    /// <param name="value">The id.</param>
    /// <param name="error">Why the value is refused.</param>
    public static bool TryGetId(JsonObject obj, string key, string what, out int value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        if (!TryGetInteger(obj, key, out _, out error))
        {
            return false;
        }
        return CheckId(obj, key, what, out value, out error);
    }

    /// <summary>
    /// Checks an id that may be absent (then 0): when it is a number, it must be one <see cref="TryGetId"/> accepts. A
    /// value of another type is left to the reader that owns the field, which says so in its own words.
    /// </summary>
    public static bool CheckId(JsonObject obj, string key, string what, out int value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        error = null;
        if (obj[key] is not JsonValue number || number.GetValueKind() != JsonValueKind.Number)
        {
            return true;
        }
        if (number.TryGetValue(out long id) && id is >= 0 and <= int.MaxValue)
        {
            value = (int)id;
            return true;
        }
        error = $"\"{key}\" {number.ToJsonString()} is not a {what} id (0 to {int.MaxValue})";
        return false;
    }

    /// <summary>
    /// Checks a recorded timestamp, when it is a number: whatever its unit (epoch or boot, ns or ms), it is not negative,
    /// and it fits a signed 64-bit count of nanoseconds.
    /// </summary>
    public static bool CheckTimestamp(JsonObject obj, string key, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (obj[key] is not JsonValue number || number.GetValueKind() != JsonValueKind.Number)
        {
            return true;
        }
        if (number.TryGetValue(out long whole))
        {
            error = whole < 0 ? $"\"{key}\" {whole} is negative (a timestamp counts from the epoch or from boot)" : null;
        }
        else if (number.TryGetValue(out double real))
        {
            error = real < 0 ? $"\"{key}\" {number.ToJsonString()} is negative (a timestamp counts from the epoch or from boot)"
                : real > long.MaxValue ? $"\"{key}\" {number.ToJsonString()} is out of range" : null;
        }
        return error is null;
    }

    public static bool TryGetString(JsonObject obj, string key, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (obj[key] is JsonValue text && text.GetValueKind() == JsonValueKind.String && text.TryGetValue(out value))
        {
            return true;
        }
        value = null;
        error = obj.ContainsKey(key) ? $"\"{key}\" is not a string" : $"missing \"{key}\"";
        return false;
    }
}
