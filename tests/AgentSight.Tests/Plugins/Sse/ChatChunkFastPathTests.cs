using AgentSight.Tests.Analyzers.Support;

namespace AgentSight.Tests.Analyzers.Sse;

/// <summary>
/// OpenAI Chat Completions chunks with <c>id</c> first, the keys the API sends and one plain choice are read without a
/// JSON document (a fast path); anything else takes the general path. Each case is run as written and with <c>id</c>
/// moved to the end (which the fast path never takes, and which means nothing to the general path): the outputs must
/// be equal.
/// </summary>
public sealed class ChatChunkFastPathTests
{
    private const string Request = """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"Hi"}]}""";

    [Theory]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}]}""")]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"lo \"quoted\" \u00e9 \ud83d\ude00\n"},"finish_reason":null}],"usage":null,"obfuscation":"abc"}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":1,"delta":{"content":"second choice"},"finish_reason":"length"}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"content":null},"logprobs":{"content":[{"token":"a","logprob":-1}]},"finish_reason":null}]}""")]
    [InlineData("""{"id":"","model":"","choices":[{"index":0,"delta":{"content":"empty id and model"},"finish_reason":null}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"lone \ud800"},"finish_reason":null}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"a","tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":"{}"}}]}}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"reasoning_content":"hm"}}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"refusal":"no"}}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"delta":{"content":"no index"}}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"a","content":"b"}}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","model":"other","choices":[{"index":0,"delta":{"content":"a"}}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":7,"choices":[{"index":0,"delta":{"content":"a"}}]}""")]
    [InlineData("""{"id":"chatcmpl-1","error":{"message":"overloaded","type":"server_error"},"choices":[{"index":0,"delta":{"content":"a"}}]}""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"a"}}]} x""")]
    [InlineData("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"a"},}]}""")]
    public void The_fast_path_and_the_general_path_agree(string data)
    {
        // The first key (id, whose values here have no comma) moves to the end of the object.
        var end = data.LastIndexOf('}');
        var comma = data.IndexOf(',', StringComparison.Ordinal);
        var reordered = "{" + data[(comma + 1)..end] + "," + data[1..comma] + data[end..];
        Assert.NotEqual(data, reordered);

        var fast = Run(data);
        var general = Run(reordered);

        Assert.Equal(general.Events, fast.Events);
        Assert.Equal(general.InvalidJson, fast.InvalidJson);
    }

    private static (List<string> Events, long InvalidJson) Run(string chunk)
    {
        // The chunk under test comes first, so the id and model it carries are the ones kept.
        var stream = "data: " + chunk + "\n\n"
            + "data: {\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-later\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" Then.\"},\"finish_reason\":null}]}\n\n"
            + "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\n"
            + "data: [DONE]\n\n";
        var chain = Calls.Streamed("/v1/chat/completions", "api.openai.com", Request, stream, readSize: 31);
        var events = chain.Output.Select(AgentSight.Contracts.AgentEventJson.ToJson).ToList();
        return (events, chain.Context("sse").CounterValue("invalid_json"));
    }
}
