using System.Text.Json.Nodes;

namespace AgentSight.Tests.Agents;

/// <summary>A small value that satisfies a JSON schema: what a side answer with a required JSON shape returns.</summary>
internal static class JsonSchemaSample
{
    public static JsonNode? For(JsonNode? schema, string text, int depth = 0)
    {
        if (schema is not JsonObject node || depth > 8)
        {
            return text;
        }
        if (node["enum"] is JsonArray { Count: > 0 } values)
        {
            return values[0]?.DeepClone();
        }
        if (node["const"] is { } constant)
        {
            return constant.DeepClone();
        }
        if ((node["anyOf"] ?? node["oneOf"]) is JsonArray { Count: > 0 } options)
        {
            return For(options[0], text, depth + 1);
        }
        var type = node["type"] switch
        {
            JsonValue value when value.TryGetValue<string>(out var t) => t,
            JsonArray types => types.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t is not null and not "null"),
            _ => node["properties"] is not null ? "object" : "string",
        };
        switch (type?.ToLowerInvariant())
        {
            case "object":
                var result = new JsonObject();
                if (node["properties"] is JsonObject properties)
                {
                    foreach (var (name, property) in properties)
                    {
                        result[name] = For(property, text, depth + 1);
                    }
                }
                return result;
            case "array":
                return new JsonArray(For(node["items"], text, depth + 1));
            case "boolean":
                return false;
            case "integer":
            case "number":
                return node["minimum"]?.DeepClone() ?? 1;
            default:
                return text;
        }
    }
}
