using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Tests.Support;

/// <summary>Any payload as the JSON object a sink would write, for assertions on typed payloads.</summary>
public static class PayloadJson
{
    public static JsonObject Of(AgentEvent evt)
    {
        if (evt.Fields is { } fields)
        {
            return fields;
        }
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, AgentEventJson.WriterOptions))
        {
            evt.Data.WriteTo(writer);
        }
        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }
}
