using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Redact;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.Redact.RedactHarness;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>More streams than <c>max_streams</c>: a stream's state may be released, never its secret.</summary>
public sealed class RedactEvictionTests
{
    private static string Key(int i) => $"sk-ant-api03-{i:D6}Qm9dF3kLp8Xz2Vc7Bn4Mq1Wr6Ts9Yu0Io5PaZq7mK2pX9vR4tY8wB3nC6dF1gH5jL0sQ2a";

    /// <summary>Each stream's first read ends inside a key, its second read holds the rest; all first reads come first.</summary>
    private static List<AgentEvent> Interleaved(int streams, Func<int, string> line, int cutInKey)
    {
        var first = new List<AgentEvent>();
        var second = new List<AgentEvent>();
        var time = Some.Epoch;
        for (var i = 0; i < streams; i++)
        {
            var text = line(i);
            var cut = text.IndexOf("sk-ant-", StringComparison.Ordinal) + cutInKey;
            first.Add(Raw(text[..cut], connection: (ulong)(0x10_0000 + i), timestamp: time += 1000));
        }
        for (var i = 0; i < streams; i++)
        {
            var text = line(i);
            var cut = text.IndexOf("sk-ant-", StringComparison.Ordinal) + cutInKey;
            second.Add(Raw(text[cut..], connection: (ulong)(0x10_0000 + i), timestamp: time += 1000));
        }
        return [.. first, .. second];
    }

    private static void AssertNoKeyLeaks(int streams, List<AgentEvent> output)
    {
        // Every key ends the same way: its tail showing anywhere is a leak, whichever stream it came from.
        Assert.True(streams > 0);
        AssertNoPartOf(Key(0)[19..], string.Join("\n", output.Select(Text)), window: 8);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(40)]
    public void Five_thousand_interleaved_streams_each_cutting_a_key_leak_no_half(int cutInKey)
    {
        var events = Interleaved(5000, i => $"x-api-key: {Key(i)}\r\nhost: api.anthropic.com\r\n", cutInKey);
        var context = new TestStageContext();

        var output = Run(new RedactConfig(), context, events);

        Assert.Equal(events.Count, output.Count);
        Assert.True(context.CounterValue("streams_evicted") > 0);
        AssertNoKeyLeaks(5000, output);
    }

    [Theory]
    [InlineData("x-api-key: {K}\r\nhost: a\r\n")]
    [InlineData("{\"messages\":[{\"content\":\"key {K} ok\"}]}")]
    [InlineData("GET /v1?key={K}&alt=sse HTTP/1.1\r\n")]
    [InlineData("see {K} there")]
    public void Far_more_streams_than_even_the_remembered_ones_still_leak_nothing(string template)
    {
        var events = Interleaved(300, i => template.Replace("{K}", Key(i), StringComparison.Ordinal), 25);
        var context = new TestStageContext();

        var output = Run(new RedactConfig { MaxStreams = 4 }, context, events);

        Assert.Equal(events.Count, output.Count);
        AssertNoKeyLeaks(300, output);
    }

    [Fact]
    public void A_body_stream_evicted_in_the_middle_of_a_key_leaks_nothing()
    {
        var events = new List<AgentEvent>();
        for (var i = 0; i < 50; i++)
        {
            var text = $"data: {{\"text\":\"here {Key(i)} ok\"}}\n\n";
            var cut = text.IndexOf("sk-ant-", StringComparison.Ordinal) + 30;
            events.Add(Body($"1:0x{i:x}:1", text[..cut], 0));
        }
        for (var i = 0; i < 50; i++)
        {
            var text = $"data: {{\"text\":\"here {Key(i)} ok\"}}\n\n";
            var cut = text.IndexOf("sk-ant-", StringComparison.Ordinal) + 30;
            events.Add(Body($"1:0x{i:x}:1", text[cut..], cut));
        }

        var output = Run(new RedactConfig { MaxStreams = 3 }, events.ToArray());

        AssertNoPartOf(Key(0)[19..], Ndjson(output));
    }

    [Fact]
    public void A_new_connection_after_evictions_is_not_mangled()
    {
        var events = Interleaved(100, i => $"x-api-key: {Key(i)}\r\n", 25);
        var fresh = Raw("POST /v1/messages HTTP/1.1\r\nhost: api.anthropic.com\r\n\r\n{}", connection: 0x77_0000);

        var output = Run(new RedactConfig { MaxStreams = 2 }, [.. events, fresh]);

        Assert.Equal("POST /v1/messages HTTP/1.1\r\nhost: api.anthropic.com\r\n\r\n{}", Text(output.Single(e => ((TlsPayload)e.Data).ConnectionId == 0x77_0000)));
    }

    private static AgentEvent Body(string exchange, string data, int offset) => Some.JsonEvent("http_body", new JsonObject
    {
        ["exchange_id"] = exchange,
        ["offset"] = offset,
        ["data"] = data,
        ["content_type"] = "text/event-stream",
    });
}
