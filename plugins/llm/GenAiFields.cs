using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Llm;

/// <summary>
/// The pieces of OpenTelemetry GenAI fields every API builds the same way: parts (<c>text</c>, <c>tool_call</c>,
/// <c>reasoning</c>, <c>blob</c>), messages, tool definitions, and fields set only when there is a value.
/// </summary>
internal static class GenAiFields
{
    /// <summary>The model named in a Gemini or Vertex path: <c>…/models/{model}:method</c>.</summary>
    public static string? ModelInPath(string path)
    {
        var at = path.LastIndexOf("/models/", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var start = at + "/models/".Length;
        var colon = path.IndexOf(':', start);
        var model = colon > start ? path[start..colon] : path[start..];
        return model.Length > 0 ? Uri.UnescapeDataString(model) : null;
    }

    public static JsonObject DataUri(string url)
    {
        // data:<mime>;base64,<content>
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        var header = comma > 5 ? url[5..comma] : "";
        var mime = header.Split(';')[0];
        return new JsonObject
        {
            ["type"] = "blob",
            ["modality"] = "image",
            ["mime_type"] = mime.Length > 0 ? mime : null,
            ["content"] = comma >= 0 ? url[(comma + 1)..] : url,
        };
    }

    public static JsonObject TextPart(string text) => new() { ["type"] = "text", ["content"] = text };

    /// <summary>A call the model made: <c>tool_call</c>, or <c>server_tool_call</c> for one the provider runs itself.</summary>
    public static JsonObject ToolCallPart(string? id, string? name, JsonNode? arguments, string type = "tool_call") =>
        new() { ["type"] = type, ["id"] = id, ["name"] = name, ["arguments"] = arguments };

    /// <summary>Reasoning the provider returns encrypted: a reader sees that there was some.</summary>
    public static JsonObject RedactedReasoningPart() => new() { ["type"] = "reasoning", ["content"] = null, ["redacted"] = true };

    public static JsonObject Message(string role, JsonArray parts) => new() { ["role"] = role, ["parts"] = parts };

    public static JsonObject Function(string? name, string? description, JsonNode? parameters)
    {
        var definition = new JsonObject { ["type"] = "function", ["name"] = name };
        if (description is not null)
        {
            definition["description"] = description;
        }
        if (parameters is not null)
        {
            definition["parameters"] = parameters;
        }
        return definition;
    }

    /// <summary>Sets a field unless the value is null (absent attributes are left out, as OpenTelemetry does).</summary>
    public static void Set(JsonObject fields, string key, JsonNode? value)
    {
        if (value is not null)
        {
            fields[key] = value;
        }
    }

    public static void Set(JsonObject fields, string key, string? value) => Set(fields, key, value is null ? null : JsonValue.Create(value));

    public static void Set(JsonObject fields, string key, long? value) => Set(fields, key, value is null ? null : JsonValue.Create(value.Value));

    public static void Set(JsonObject fields, string key, double? value) => Set(fields, key, value is null ? null : JsonValue.Create(value.Value));

    public static void Set(JsonObject fields, string key, bool? value) => Set(fields, key, value is null ? null : JsonValue.Create(value.Value));
}
