using System.Runtime.InteropServices;
using System.Text;
using AgentSight.Contracts;

namespace AgentSight.Tests.Contracts;

/// <summary>A shared event's NDJSON line is formatted once and read by every sink; an unshared one follows its changes.</summary>
public sealed class SharedJsonLineTests
{
    private const string Line =
        """{"timestamp":7,"source":"llm","pid":42,"tid":43,"comm":"node","data":{"gen_ai.request.model":"gpt-5","tokens":1234}}""";

    private static AgentEvent Parse()
    {
        Assert.True(AgentEventJson.TryParse(Encoding.UTF8.GetBytes(Line), out var evt, out var error), error);
        return evt;
    }

    [Fact]
    public async Task Sinks_on_several_threads_read_the_same_line_formatted_once()
    {
        var evt = Parse();
        evt.MarkShared(readers: 3);

        var lines = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => evt.AsReadOnly().JsonLine)));
        var again = evt.AsReadOnly().JsonLine;

        Assert.Equal(Line + "\n", Encoding.UTF8.GetString(again.Span));
        // Every later read returns the very bytes kept at the first: no sink formats it again.
        Assert.Same(ArrayOf(again), ArrayOf(evt.AsReadOnly().JsonLine));
        Assert.All(lines, line => Assert.Equal(Line + "\n", Encoding.UTF8.GetString(line.Span)));
    }

    [Fact]
    public void An_unshared_event_is_formatted_as_it_is_now()
    {
        var evt = Parse();
        var before = evt.AsReadOnly().JsonLine.ToArray();

        evt.Pid = 99;

        Assert.Equal(Line + "\n", Encoding.UTF8.GetString(before));
        Assert.Contains("\"pid\":99", Encoding.UTF8.GetString(evt.AsReadOnly().JsonLine.Span), StringComparison.Ordinal);
    }

    /// <summary>The array holding the line's bytes, to tell one array from an equal copy.</summary>
    private static byte[] ArrayOf(ReadOnlyMemory<byte> line) =>
        MemoryMarshal.TryGetArray(line, out var segment) ? segment.Array! : throw new InvalidOperationException("the line is not in an array");
}
