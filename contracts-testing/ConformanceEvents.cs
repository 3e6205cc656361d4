using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Contracts.Testing;

/// <summary>Events for conformance tests: recordings read from NDJSON, markers, and odd events made from a sample.</summary>
public static class ConformanceEvents
{
    /// <summary>The source of <see cref="Marker"/> events: no plugin reads it.</summary>
    public const string MarkerSource = "conformance_marker";

    /// <summary>The events of an NDJSON recording (AgentSight's format or the original tool's), in order, fresh objects each call.</summary>
    /// <exception cref="InvalidDataException">A line is not an event; the message names the file and line.</exception>
    public static List<AgentEvent> Load(string path)
    {
        var events = new List<AgentEvent>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.AsSpan().Trim().IsEmpty)
            {
                continue;
            }
            if (!AgentEventJson.TryParse(Encoding.UTF8.GetBytes(line), out var evt, out var error))
            {
                throw new InvalidDataException($"{path}:{number}: {error}");
            }
            events.Add(evt);
        }
        return events;
    }

    /// <summary>An event of a source no plugin reads, numbered so that its order can be checked.</summary>
    public static AgentEvent Marker(int number, long timestamp) =>
        new(timestamp, MarkerSource, 1, 1, "conformance", new JsonPayload(new JsonObject { ["marker"] = number }));

    /// <summary>
    /// Odd versions of the first event of each source in <paramref name="sample"/>, such as a buggy runner or a
    /// hand-edited recording could produce: the payload of another kind (bytes where fields were expected and the
    /// other way round), no fields at all, and every field of the wrong JSON type.
    /// </summary>
    public static IEnumerable<AgentEvent> Odd(IEnumerable<AgentEvent> sample)
    {
        foreach (var first in sample.GroupBy(e => e.Source, StringComparer.Ordinal).Select(g => g.First()))
        {
            var garbage = new byte[] { 0x00, 0xff, (byte)'{', (byte)'"', 0x0d, 0x0a, 0xc3 };
            if (first.Data is JsonPayload json)
            {
                yield return With(first, new TlsPayload(TlsDirection.Read, garbage, garbage.Length));
                yield return With(first, new JsonPayload([]));
                yield return With(first, new JsonPayload(WrongTypes(json.Fields)));
            }
            else
            {
                yield return With(first, new JsonPayload([]));
                yield return With(first, new JsonPayload(new JsonObject { ["data"] = 42, ["function"] = new JsonArray(), ["len"] = "many" }));
                yield return With(first, new TlsPayload(TlsDirection.Write, ReadOnlyMemory<byte>.Empty, -1));
            }
        }
    }

    /// <summary>The same fields with every value of another JSON type (strings become numbers, numbers strings, …).</summary>
    private static JsonObject WrongTypes(JsonObject fields)
    {
        var wrong = new JsonObject();
        foreach (var (key, value) in fields)
        {
            wrong[key] = value switch
            {
                JsonObject => JsonValue.Create("not an object"),
                JsonArray => new JsonObject { ["not"] = "an array" },
                JsonValue v when v.TryGetValue<string>(out _) => JsonValue.Create(-1),
                JsonValue v when v.TryGetValue<bool>(out _) => JsonValue.Create("true"),
                null => new JsonObject(),
                _ => new JsonArray(JsonValue.Create("not a number")),
            };
        }
        return wrong;
    }

    private static AgentEvent With(AgentEvent evt, EventPayload data) => new(evt.Timestamp, evt.Source, evt.Pid, evt.Tid, evt.Comm, data);
}
