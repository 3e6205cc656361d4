using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Contracts;

/// <summary>A JSON value read through a view that cannot change it: how sinks read an event's fields. Since 2.0.</summary>
/// <remarks>
/// Shaped like <see cref="JsonElement"/>: <c>default</c> is <see cref="JsonValueKind.Undefined"/> (a missing field or
/// index), and reads never throw: asking an object for a missing field, or a number for a field, gives
/// <c>Undefined</c>, null or false. It wraps the event's own nodes, so it copies nothing and allocates nothing, and it
/// never hands a node out; <see cref="DeepClone"/> gives a copy the caller owns.
/// </remarks>
public readonly struct ReadOnlyJson
{
    private readonly JsonNode? _node;
    private readonly bool _present;

    /// <summary>A view of <paramref name="node"/> (null is JSON null). Not copied: whoever owns the node may still change it.</summary>
    public ReadOnlyJson(JsonNode? node)
    {
        _node = node;
        _present = true;
    }

    /// <summary>The kind of value; <see cref="JsonValueKind.Undefined"/> when it is not there at all.</summary>
    public JsonValueKind ValueKind => !_present ? JsonValueKind.Undefined : _node?.GetValueKind() ?? JsonValueKind.Null;

    /// <summary>An object's field; <c>Undefined</c> when this is no object or has no such field.</summary>
    public ReadOnlyJson this[string name] =>
        _node is JsonObject obj && obj.TryGetPropertyValue(name, out var value) ? new ReadOnlyJson(value) : default;

    /// <summary>An array's item; <c>Undefined</c> when this is no array or the index is outside it.</summary>
    public ReadOnlyJson this[int index] =>
        _node is JsonArray array && (uint)index < (uint)array.Count ? new ReadOnlyJson(array[index]) : default;

    /// <summary>How many fields an object has or items an array has; 0 for anything else.</summary>
    public int Count => _node switch
    {
        JsonObject obj => obj.Count,
        JsonArray array => array.Count,
        _ => 0,
    };

    /// <summary>True when this is an object with the field <paramref name="name"/> (its value may be null).</summary>
    public bool ContainsKey(string name) => _node is JsonObject obj && obj.ContainsKey(name);

    /// <summary>The text of a string value; null for anything else.</summary>
    public string? GetString() =>
        _node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>
    /// A primitive value as <typeparamref name="T"/>, as <see cref="JsonValue.TryGetValue{T}"/> converts it (a value a
    /// plugin built from a CLR number converts only to that number's type); false for objects, arrays and null.
    /// </summary>
    public bool TryGetValue<T>(out T value)
    {
        if (_node is JsonValue primitive && !typeof(JsonNode).IsAssignableFrom(typeof(T)))
        {
            return primitive.TryGetValue(out value!);
        }
        value = default!;
        return false;
    }

    /// <summary>An object's fields in order; nothing for anything else.</summary>
    public ObjectEnumerator EnumerateObject() => new(_node as JsonObject);

    /// <summary>An array's items in order; nothing for anything else.</summary>
    public ArrayEnumerator EnumerateArray() => new(_node as JsonArray);

    /// <summary>Writes the value (<c>null</c> when it is not there).</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        if (_node is null)
        {
            writer.WriteNullValue();
            return;
        }
        _node.WriteTo(writer);
    }

    /// <summary>The value as compact JSON text (<c>null</c> when it is not there).</summary>
    public string ToJsonString() => _node?.ToJsonString() ?? "null";

    /// <summary>A copy of the value as a node the caller owns and may change; null for JSON null or nothing.</summary>
    public JsonNode? DeepClone() => _node?.DeepClone();

    /// <summary>As <see cref="JsonNode.ToString"/>: a string value's text, anything else as JSON; empty for null or nothing.</summary>
    public override string ToString() => _node?.ToString() ?? string.Empty;

    /// <summary>Walks an object's fields without allocating.</summary>
    public struct ObjectEnumerator : IEnumerable<KeyValuePair<string, ReadOnlyJson>>, IEnumerator<KeyValuePair<string, ReadOnlyJson>>
    {
        private readonly JsonObject? _obj;
        private int _index;

        internal ObjectEnumerator(JsonObject? obj)
        {
            _obj = obj;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly KeyValuePair<string, ReadOnlyJson> Current
        {
            get
            {
                var (name, value) = _obj!.GetAt(_index);
                return new(name, new ReadOnlyJson(value));
            }
        }

        readonly object IEnumerator.Current => Current;

        /// <summary>This enumerator, for <c>foreach</c>.</summary>
        public readonly ObjectEnumerator GetEnumerator() => this;

        /// <inheritdoc />
        public bool MoveNext() => _obj is not null && ++_index < _obj.Count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }

        readonly IEnumerator<KeyValuePair<string, ReadOnlyJson>> IEnumerable<KeyValuePair<string, ReadOnlyJson>>.GetEnumerator() => this;

        readonly IEnumerator IEnumerable.GetEnumerator() => this;
    }

    /// <summary>Walks an array's items without allocating.</summary>
    public struct ArrayEnumerator : IEnumerable<ReadOnlyJson>, IEnumerator<ReadOnlyJson>
    {
        private readonly JsonArray? _array;
        private int _index;

        internal ArrayEnumerator(JsonArray? array)
        {
            _array = array;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly ReadOnlyJson Current => new(_array![_index]);

        readonly object IEnumerator.Current => Current;

        /// <summary>This enumerator, for <c>foreach</c>.</summary>
        public readonly ArrayEnumerator GetEnumerator() => this;

        /// <inheritdoc />
        public bool MoveNext() => _array is not null && ++_index < _array.Count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }

        readonly IEnumerator<ReadOnlyJson> IEnumerable<ReadOnlyJson>.GetEnumerator() => this;

        readonly IEnumerator IEnumerable.GetEnumerator() => this;
    }
}
