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

    public static bool TryGetInt32(JsonObject obj, string key, out int value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        if (!TryGetInteger(obj, key, out var wide, out error))
        {
            return false;
        }
        if (wide is < int.MinValue or > uint.MaxValue)
        {
            error = $"\"{key}\" is out of range";
            return false;
        }
        value = unchecked((int)wide);
        return true;
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
