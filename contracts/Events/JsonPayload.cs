using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Contracts;

/// <summary>A payload of named fields, kept as a mutable JSON object model while an analyzer owns the event.</summary>
/// <remarks>Sinks read the fields through <see cref="ReadOnlyEvent.Fields"/>, a view that hands out no node.</remarks>
public sealed class JsonPayload : EventPayload
{
    private readonly JsonObject _fields;

    /// <summary>Wraps <paramref name="fields"/> (not copied).</summary>
    public JsonPayload(JsonObject fields) => _fields = fields;

    /// <summary>The fields. Analyzers may change them while they own the event.</summary>
    /// <exception cref="InvalidOperationException">The event is shared (since 2.0): read <see cref="ReadOnlyEvent.Fields"/>.</exception>
    public JsonObject Fields
    {
        get
        {
            ThrowIfShared();
            return _fields;
        }
    }

    /// <summary>The fields as a view that cannot change them.</summary>
    internal ReadOnlyJson ReadOnlyFields => new(_fields);

    /// <inheritdoc />
    public override void WriteTo(Utf8JsonWriter writer) => _fields.WriteTo(writer);

    /// <summary>
    /// Nodes parsed from JSON build their children lazily on first access, which is not thread-safe: visiting the
    /// whole tree once builds them all, after which concurrent reads are safe.
    /// </summary>
    internal override void PrepareForConcurrentReads() => Materialize(_fields);

    internal override EventPayload CopyUnshared() => new JsonPayload((JsonObject)_fields.DeepClone());

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
