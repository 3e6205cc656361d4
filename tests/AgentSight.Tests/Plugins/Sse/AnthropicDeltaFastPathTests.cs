using AgentSight.Tests.Analyzers.Support;

namespace AgentSight.Tests.Analyzers.Sse;

/// <summary>
/// Anthropic deltas in the API's exact shape are read without a JSON document (a fast path); any other shape takes the
/// general path. Both must give the same events and counters: each case is run once as sent and once with its keys
/// reordered (which always takes the general path), and the outputs are compared whole.
/// </summary>
public sealed class AnthropicDeltaFastPathTests
{
    private const string Request =
        """{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""";

    private const string Start =
        """{"type":"message_start","message":{"id":"msg_01","model":"claude-x","usage":{"input_tokens":3,"output_tokens":1}}}""";

    public static TheoryData<string, string> Deltas => new()
    {
        // Plain text, escapes, non-ASCII and a surrogate pair written as escapes.
        { "text_delta", "Hello \\\"world\\\" \\u00e9 \\ud83d\\ude00 \\n done" },
        { "text_delta", "" },
        { "thinking_delta", "Let me think." },
        { "input_json_delta", "{\\\"city\\\":" },
        { "input_json_delta", "" },
        // A lone surrogate: valid JSON, but not a string .NET can read (counted as invalid JSON, the stream goes on).
        { "text_delta", "broken \\ud800 text" },
    };

    [Theory]
    [MemberData(nameof(Deltas))]
    public void The_fast_path_and_the_general_path_agree(string deltaType, string value)
    {
        var field = deltaType switch
        {
            "thinking_delta" => "thinking",
            "input_json_delta" => "partial_json",
            _ => "text",
        };
        // Index 1 has no content_block_start: the delta creates its block.
        var exact = Run(
            $$$"""{"type":"content_block_delta","index":0,"delta":{"type":"{{{deltaType}}}","{{{field}}}":"{{{value}}}"}}""",
            $$$"""{"type":"content_block_delta","index":1,"delta":{"type":"{{{deltaType}}}","{{{field}}}":"{{{value}}}"}}""");
        var reordered = Run(
            $$$"""{"index":0,"type":"content_block_delta","delta":{"{{{field}}}":"{{{value}}}","type":"{{{deltaType}}}"}}""",
            $$$"""{"delta":{"type":"{{{deltaType}}}","{{{field}}}":"{{{value}}}"},"index":1,"type":"content_block_delta"}""");

        Assert.Equal(reordered.Events, exact.Events);
        Assert.Equal(reordered.InvalidJson, exact.InvalidJson);
    }

    [Theory]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}} x""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}{}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a",}}""")]
    [InlineData("""{"type":"content_block_delta","index":1.5,"delta":{"type":"text_delta","text":"a"}}""")]
    [InlineData("""{"type":"content_block_delta","index":99999999999,"delta":{"type":"text_delta","text":"a"}}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","extra":1}}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":7}}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":null}}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"abc"}}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"},"usage":null}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","text":"b"}}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"},"type":"ping"}""")]
    public void Near_misses_of_the_exact_shape_are_read_as_before(string data)
    {
        // The same event with "index" moved before "type" can never take the fast path (it wants "type" first), and
        // key order means nothing to the general path: both must come out the same.
        const string Head = "{\"type\":\"content_block_delta\",";
        var comma = data.IndexOf(',', Head.Length);
        var index = data[Head.Length..comma];
        var reordered = "{" + index + ",\"type\":\"content_block_delta\"" + data[comma..];

        var result = Run(data);
        var general = Run(reordered);

        Assert.Equal(general.Events, result.Events);
        Assert.Equal(general.InvalidJson, result.InvalidJson);
    }

    private static (List<string> Events, long InvalidJson) Run(params string[] deltas)
    {
        var stream = "event: message_start\ndata: " + Start + "\n\n"
            + string.Concat(deltas.Select(d => "event: content_block_delta\ndata: " + d + "\n\n"))
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        var chain = Calls.Streamed("/v1/messages", "api.anthropic.com", Request, stream, readSize: 29);
        var events = chain.Output.Select(AgentSight.Contracts.AgentEventJson.ToJson).ToList();
        return (events, chain.Context("sse").CounterValue("invalid_json"));
    }
}
