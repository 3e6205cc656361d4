using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Contracts;

/// <summary>A payload of named fields, kept as a mutable JSON object model.</summary>
public sealed class JsonPayload : EventPayload
{
    /// <summary>Wraps <paramref name="fields"/> (not copied).</summary>
    public JsonPayload(JsonObject fields) => Fields = fields;

    /// <summary>The fields. Analyzers may change them while they own the event.</summary>
    public JsonObject Fields { get; }

    /// <inheritdoc />
    public override void WriteTo(Utf8JsonWriter writer) => Fields.WriteTo(writer);

    /// <summary>
    /// Nodes parsed from JSON build their children lazily on first access, which is not thread-safe: visiting the
    /// whole tree once builds them all, after which concurrent reads are safe.
    /// </summary>
    public override void PrepareForSharing() => Materialize(Fields);

    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var pair in obj)
                {
                    Materialize(pair.Value);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Materialize(item);
                }
                break;
        }
    }
}
