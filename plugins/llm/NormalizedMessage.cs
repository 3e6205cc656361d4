using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.JsonNodes;

namespace AgentSight.Plugins.Llm;

/// <summary>
/// A whole (non-streamed) response body in the shape the <c>sse</c> analyzer gives accumulated streams:
/// <c>{id, model, content: [blocks], stop_reason, usage, error, choices?}</c> with blocks <c>text</c>,
/// <c>thinking</c>, <c>tool_use {id, name, input}</c>, <c>refusal</c>, or others as sent. Each API's
/// <see cref="Apis.IModelApi.Normalize"/> builds it, so one mapping to OpenTelemetry serves both.
/// </summary>
internal static class NormalizedMessage
{
    /// <summary>The first choice becomes the message's content; the others go under <c>choices</c>.</summary>
    public static JsonObject WithChoices(JsonObject result, JsonArray choices)
    {
        if (choices.Count == 0)
        {
            result["content"] = new JsonArray();
            return result;
        }
        var first = (JsonObject)choices[0]!;
        result["content"] = Json.Copy(first["content"]);
        result["stop_reason"] = Json.Str(first, "stop_reason");
        if (choices.Count > 1)
        {
            var others = new JsonArray();
            for (var i = 1; i < choices.Count; i++)
            {
                others.Add(Json.Copy(choices[i]));
            }
            result["choices"] = others;
        }
        return result;
    }
}
