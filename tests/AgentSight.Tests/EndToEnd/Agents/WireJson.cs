using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Tests.Agents;

/// <summary>Lenient reads of request JSON: a missing or oddly typed field is null, never an exception.</summary>
internal static class WireJson
{
    public static string? String(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static bool Bool(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    public static IEnumerable<JsonObject> Objects(JsonNode? node) => node is JsonArray array ? array.OfType<JsonObject>() : [];

    /// <summary>The text of a tool result's content: a string, or the text of an array of blocks or parts.</summary>
    public static string TextOf(JsonNode? content)
    {
        switch (content)
        {
            case null:
                return "";
            case JsonValue:
                return String(content) ?? content.ToJsonString();
            case JsonArray array:
                var text = new StringBuilder();
                foreach (var item in array)
                {
                    text.Append(item is JsonObject block && String(block["text"]) is { } blockText ? blockText : TextOf(item)).Append('\n');
                }
                return text.ToString();
            default:
                return content.ToJsonString();
        }
    }
}
