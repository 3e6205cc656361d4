using AgentSight.Tests.Analyzers.Support;

namespace AgentSight.Tests.Analyzers.Sse;

/// <summary>
/// OpenAI Responses text deltas with <c>type</c> first and only the keys the API sends are read without a JSON document
/// (a fast path); anything else takes the general path. Each case is run as written and with <c>type</c> moved to the
/// end (which the fast path never takes, and which means nothing to the general path): the outputs must be equal.
/// </summary>
public sealed class ResponsesDeltaFastPathTests
{
    private const string Request = """{"model":"gpt-5","stream":true,"input":"Hi"}""";

    private const string Type = "\"type\":\"response.output_text.delta\"";

    [Theory]
    [InlineData("""{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hel","logprobs":[],"obfuscation":"x"}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":0,"delta":"lo \"quoted\" \u00e9 \ud83d\ude00\n"}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":3,"delta":"new block"}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":0,"delta":""}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":0,"delta":"a","logprobs":[{"token":"a","logprob":-0.1,"top_logprobs":[]}]}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":0,"delta":"lone \ud800"}""")]
    [InlineData("""{"type":"response.output_text.delta","delta":"no index"}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":0}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":0,"delta":7}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":1.5,"delta":"a"}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":0,"delta":"a","delta":"b"}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":0,"delta":"a","output_index":1}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":0,"delta":"a","extra":true}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":0,"delta":"a","logprobs":[1,}""")]
    [InlineData("""{"type":"response.output_text.delta","output_index":0,"delta":"a"} {}""")]
    public void The_fast_path_and_the_general_path_agree(string data)
    {
        var body = data["{".Length..data.LastIndexOf('}')];
        var rest = body[Type.Length..].TrimStart(',');
        var reordered = "{" + rest + (rest.Length > 0 ? "," : "") + Type + data[(data.LastIndexOf('}'))..];
        Assert.NotEqual(data, reordered);

        var fast = Run(data);
        var general = Run(reordered);

        Assert.Equal(general.Events, fast.Events);
        Assert.Equal(general.InvalidJson, fast.InvalidJson);
    }

    private static (List<string> Events, long InvalidJson) Run(string delta)
    {
        var stream = "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"model\":\"gpt-5\",\"status\":\"in_progress\"}}\n\n"
            + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"output_index\":0,\"delta\":\"First. \"}\n\n"
            + "event: response.output_text.delta\ndata: " + delta + "\n\n"
            + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"model\":\"gpt-5\",\"status\":\"completed\",\"usage\":{\"input_tokens\":3,\"output_tokens\":2}}}\n\n";
        var chain = Calls.Streamed("/v1/responses", "api.openai.com", Request, stream, readSize: 23);
        var events = chain.Output.Select(AgentSight.Contracts.AgentEventJson.ToJson).ToList();
        return (events, chain.Context("sse").CounterValue("invalid_json"));
    }
}
