using System.Text.Json.Nodes;
using AgentSight.Tests.Analyzers.Support;

namespace AgentSight.Tests.Analyzers.Sse;

/// <summary>Each provider's stream format, from hand-written fixtures after llm-stream-formats.md, through http → sse → llm.</summary>
public sealed class ProviderStreamTests
{
    private const string AnthropicRequest =
        """{"model":"claude-sonnet-4-5","max_tokens":1024,"system":"Be brief.","stream":true,"thinking":{"type":"enabled","budget_tokens":512},"tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"Weather in Oslo?"}]}""";

    private const string AnthropicStream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants "}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"the weather."}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Let me check. "}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: content_block_start
        data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\"Oslo\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":2}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":21}}

        event: message_stop
        data: {"type":"message_stop"}


        """;

    [Fact]
    public void Anthropic_thinking_text_and_tool_use_are_accumulated_and_mapped()
    {
        var chain = Calls.Streamed("/v1/messages?beta=true", "api.anthropic.com", AnthropicRequest, AnthropicStream, readSize: 37);

        var sse = chain.Sse();
        Assert.Equal("anthropic", (string?)sse["provider"]);
        Assert.True((bool)sse["complete"]!);
        Assert.Equal("end_marker", (string?)sse["end_reason"]);
        Assert.Equal("Let me check. ", (string?)sse["text"]);
        var content = (JsonArray)chain.Message()["content"]!;
        Assert.Equal("The user wants the weather.", (string?)content[0]!["thinking"]);
        Assert.Equal("EqQBCgIYAhIM", (string?)content[0]!["signature"]);
        Assert.Equal("""{"city":"Oslo"}""", content[2]!["input"]!.ToJsonString());

        var llm = chain.Llm();
        Assert.Equal("anthropic", (string?)llm["gen_ai.provider.name"]);
        Assert.Equal("chat", (string?)llm["gen_ai.operation.name"]);
        Assert.Equal("claude-sonnet-4-5", (string?)llm["gen_ai.request.model"]);
        Assert.Equal("claude-x", (string?)llm["gen_ai.response.model"]);
        Assert.Equal("msg_01", (string?)llm["gen_ai.response.id"]);
        Assert.Equal(1024, (long)llm["gen_ai.request.max_tokens"]!);
        Assert.True((bool)llm["gen_ai.request.stream"]!);
        // Anthropic's input_tokens excludes the cache; the conventions' input includes it.
        Assert.Equal(12 + 100 + 2000, (long)llm["gen_ai.usage.input_tokens"]!);
        Assert.Equal(21, (long)llm["gen_ai.usage.output_tokens"]!);
        Assert.Equal(2000, (long)llm["gen_ai.usage.cache_read.input_tokens"]!);
        Assert.Equal(100, (long)llm["gen_ai.usage.cache_creation.input_tokens"]!);
        Assert.Equal("""["tool_use"]""", llm["gen_ai.response.finish_reasons"]!.ToJsonString());
        var output = llm["gen_ai.output.messages"]![0]!;
        Assert.Equal("tool_call", (string?)output["finish_reason"]);
        Assert.Equal(["reasoning", "text", "tool_call"], output["parts"]!.AsArray().Select(p => (string?)p!["type"]));
        Assert.Equal("get_weather", (string?)output["parts"]![2]!["name"]);
        Assert.Equal("Be brief.", (string?)llm["gen_ai.system_instructions"]![0]!["content"]);
        Assert.Equal("Weather in Oslo?", (string?)llm["gen_ai.input.messages"]![0]!["parts"]![0]!["content"]);
        Assert.Equal("get_weather", (string?)llm["gen_ai.tool.definitions"]![0]!["name"]);
        // message_start and ping carry no token: the first token comes later than the first chunk.
        Assert.True((double)llm["time_to_first_token_ms"]! > (double)llm["time_to_first_chunk_ms"]!);
        Assert.Equal("/v1/messages", (string?)llm["url.path"]);
        Assert.Equal(443, (long)llm["server.port"]!);
    }

    [Fact]
    public void An_Anthropic_error_inside_a_200_stream_ends_it_and_is_the_calls_error()
    {
        const string stream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_02","model":"claude-x","usage":{"input_tokens":5,"output_tokens":1}}}

            event: error
            data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}


            """;

        var chain = Calls.Streamed("/v1/messages", "api.anthropic.com", AnthropicRequest, stream);

        Assert.Equal("overloaded_error", (string?)chain.Message()["error"]!["type"]);
        var llm = chain.Llm();
        Assert.Equal("overloaded_error", (string?)llm["error.type"]);
        Assert.Equal(200, (long)llm["http.response.status_code"]!);
        // Nothing was generated before the error, so there is no output message.
        Assert.False(llm.ContainsKey("gen_ai.output.messages"));
    }

    private const string ChatStream = """
        data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}],"usage":null}

        data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}],"usage":null}

        data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]},"finish_reason":null}],"usage":null}

        data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":null}

        data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[],"usage":{"prompt_tokens":50,"completion_tokens":18,"total_tokens":68,"prompt_tokens_details":{"cached_tokens":32},"completion_tokens_details":{"reasoning_tokens":4}}}

        data: [DONE]


        """;

    private const string ChatRequest =
        """{"model":"gpt-x","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"sys"},{"role":"user","content":"Oslo?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_0","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},{"role":"tool","tool_call_id":"call_0","content":"done"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}""";

    [Fact]
    public void OpenAI_chat_tool_call_deltas_and_the_usage_chunk_are_accumulated()
    {
        var chain = Calls.Streamed("/v1/chat/completions", "api.openai.com", ChatRequest, ChatStream, readSize: 50);

        var sse = chain.Sse();
        Assert.Equal("openai", (string?)sse["provider"]);
        Assert.Equal("end_marker", (string?)sse["end_reason"]);
        var llm = chain.Llm();
        Assert.Equal("chat_completions", (string?)llm["openai.api.type"]);
        Assert.Equal(50, (long)llm["gen_ai.usage.input_tokens"]!);
        Assert.Equal(18, (long)llm["gen_ai.usage.output_tokens"]!);
        Assert.Equal(32, (long)llm["gen_ai.usage.cache_read.input_tokens"]!);
        Assert.Equal(4, (long)llm["gen_ai.usage.reasoning.output_tokens"]!);
        var call = llm["gen_ai.output.messages"]![0]!["parts"]![0]!;
        Assert.Equal(("tool_call", "call_1", "get_weather", """{"city":"Oslo"}"""),
            ((string?)call["type"], (string?)call["id"], (string?)call["name"], call["arguments"]!.ToJsonString()));
        Assert.Equal("tool_call", (string?)llm["gen_ai.output.messages"]![0]!["finish_reason"]);
        // The request's history: system stays a message, the tool call's arguments are parsed, its result is a tool message.
        var input = llm["gen_ai.input.messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "tool"], input.Select(m => (string?)m!["role"]));
        Assert.Equal("""{"a":1}""", input[2]!["parts"]![0]!["arguments"]!.ToJsonString());
        Assert.Equal("call_0", (string?)input[3]!["parts"]![0]!["id"]);
    }

    [Fact]
    public void A_chat_stream_that_ends_without_done_is_not_complete()
    {
        var cut = ChatStream[..ChatStream.IndexOf("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\",\"choices\":[]", StringComparison.Ordinal)];

        var chain = Calls.Streamed("/v1/chat/completions", "api.openai.com", ChatRequest, cut);

        Assert.False((bool)chain.Sse()["complete"]!);
        Assert.Equal("body_end", (string?)chain.Sse()["end_reason"]);
        Assert.False((bool)chain.Llm()["complete"]!);
        Assert.False(chain.Llm().ContainsKey("gen_ai.usage.input_tokens"));
    }

    [Fact]
    public void Responses_function_call_streams_take_the_done_events_and_the_completed_usage()
    {
        const string stream = """
            event: response.created
            data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-x","output":[],"usage":null}}

            event: response.output_item.added
            data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"function_call","id":"fc_1","call_id":"call_9","name":"get_weather","arguments":"","status":"in_progress"}}

            event: response.function_call_arguments.delta
            data: {"type":"response.function_call_arguments.delta","sequence_number":2,"item_id":"fc_1","output_index":0,"delta":"{\"city\":"}

            event: response.function_call_arguments.delta
            data: {"type":"response.function_call_arguments.delta","sequence_number":3,"item_id":"fc_1","output_index":0,"delta":"\"Oslo\"}"}

            event: response.function_call_arguments.done
            data: {"type":"response.function_call_arguments.done","sequence_number":4,"item_id":"fc_1","output_index":0,"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}

            event: response.completed
            data: {"type":"response.completed","sequence_number":5,"response":{"id":"resp_1","object":"response","status":"completed","model":"gpt-x-2025-01-01","output":[{"type":"function_call","id":"fc_1","call_id":"call_9","name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}],"usage":{"input_tokens":9,"input_tokens_details":{"cached_tokens":0},"output_tokens":12,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":21}}}


            """;
        const string request = """{"model":"gpt-x","instructions":"Be terse.","input":"Oslo weather?","stream":true,"tools":[{"type":"function","name":"get_weather","parameters":{}}]}""";

        var chain = Calls.Streamed("/v1/responses", "api.openai.com", request, stream, readSize: 41);

        Assert.Equal("openai-responses", (string?)chain.Sse()["provider"]);
        var llm = chain.Llm();
        Assert.Equal("responses", (string?)llm["openai.api.type"]);
        Assert.Equal("gpt-x-2025-01-01", (string?)llm["gen_ai.response.model"]);
        Assert.Equal(9, (long)llm["gen_ai.usage.input_tokens"]!);
        Assert.Equal(12, (long)llm["gen_ai.usage.output_tokens"]!);
        var part = llm["gen_ai.output.messages"]![0]!["parts"]![0]!;
        Assert.Equal(("call_9", "get_weather", """{"city":"Oslo"}"""), ((string?)part["id"], (string?)part["name"], part["arguments"]!.ToJsonString()));
        Assert.Equal("tool_call", (string?)llm["gen_ai.output.messages"]![0]!["finish_reason"]);
        Assert.Equal("Be terse.", (string?)llm["gen_ai.system_instructions"]![0]!["content"]);
        Assert.Equal("Oslo weather?", (string?)llm["gen_ai.input.messages"]![0]!["parts"]![0]!["content"]);
    }

    [Fact]
    public void Gemini_streams_with_crlf_thoughts_and_a_function_call_are_accumulated()
    {
        var stream = string.Concat(new[]
        {
            """{"candidates":[{"content":{"role":"model","parts":[{"text":"Thinking about it","thought":true}]},"index":0}],"usageMetadata":{"promptTokenCount":9,"totalTokenCount":9},"modelVersion":"gemini-x","responseId":"r1"}""",
            """{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":1,"totalTokenCount":10},"modelVersion":"gemini-x","responseId":"r1"}""",
            """{"candidates":[{"content":{"role":"model","parts":[{"text":"lo!"},{"functionCall":{"name":"get_weather","args":{"city":"Oslo"}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3,"thoughtsTokenCount":12,"cachedContentTokenCount":4,"totalTokenCount":24},"modelVersion":"gemini-x","responseId":"r1"}""",
        }.Select(d => "data: " + d + "\r\n\r\n"));
        const string request = """{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"systemInstruction":{"parts":[{"text":"Be kind."}]},"generationConfig":{"temperature":0.5,"maxOutputTokens":100}}""";

        var chain = Calls.Streamed("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", "generativelanguage.googleapis.com", request, stream, readSize: 23);

        var sse = chain.Sse();
        Assert.Equal("gemini", (string?)sse["provider"]);
        Assert.True((bool)sse["complete"]!);
        Assert.Equal("body_end", (string?)sse["end_reason"]);
        Assert.Equal("Hello!", (string?)sse["text"]);
        var llm = chain.Llm();
        Assert.Equal("gcp.gemini", (string?)llm["gen_ai.provider.name"]);
        Assert.Equal("generate_content", (string?)llm["gen_ai.operation.name"]);
        Assert.Equal("gemini-2.5-flash", (string?)llm["gen_ai.request.model"]);
        Assert.Equal(0.5, (double)llm["gen_ai.request.temperature"]!);
        Assert.Equal(9, (long)llm["gen_ai.usage.input_tokens"]!);
        // Gemini counts thoughts apart; the conventions' output includes them.
        Assert.Equal(3 + 12, (long)llm["gen_ai.usage.output_tokens"]!);
        Assert.Equal(12, (long)llm["gen_ai.usage.reasoning.output_tokens"]!);
        Assert.Equal(4, (long)llm["gen_ai.usage.cache_read.input_tokens"]!);
        Assert.Equal(["reasoning", "text", "tool_call"], llm["gen_ai.output.messages"]![0]!["parts"]!.AsArray().Select(p => (string?)p!["type"]));
        Assert.Equal("stop", (string?)llm["gen_ai.output.messages"]![0]!["finish_reason"]);
        Assert.Equal("Be kind.", (string?)llm["gen_ai.system_instructions"]![0]!["content"]);
    }

    [Fact]
    public void Code_assist_v1internal_wraps_requests_and_responses()
    {
        const string request = """{"model":"gemini-2.5-pro","project":"p-1","user_prompt_id":"u1","request":{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"generationConfig":{"temperature":1}}}""";
        const string stream = "data: {\"response\":{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hi there\"}]},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":2,\"totalTokenCount\":5},\"modelVersion\":\"gemini-2.5-pro\"},\"traceId\":\"t-1\"}\r\n\r\n";

        var chain = Calls.Streamed("/v1internal:streamGenerateContent?alt=sse", "cloudcode-pa.googleapis.com", request, stream);

        var llm = chain.Llm();
        Assert.Equal("gcp.gen_ai", (string?)llm["gen_ai.provider.name"]);
        Assert.Equal("gemini-2.5-pro", (string?)llm["gen_ai.request.model"]);
        Assert.Equal("t-1", (string?)llm["gen_ai.response.id"]);
        Assert.Equal("Hi there", ExpectedCall.OutputText(llm));
        Assert.Equal(3, (long)llm["gen_ai.usage.input_tokens"]!);
        Assert.Equal("Hi", (string?)llm["gen_ai.input.messages"]![0]!["parts"]![0]!["content"]);
    }

    [Fact]
    public void Ollama_ndjson_streams_are_read_as_streams_too()
    {
        const string stream = """
            {"model":"llama3.2","created_at":"t","message":{"role":"assistant","content":"Hel"},"done":false}
            {"model":"llama3.2","created_at":"t","message":{"role":"assistant","content":"lo"},"done":false}
            {"model":"llama3.2","created_at":"t","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":812000000,"prompt_eval_count":26,"eval_count":3,"eval_duration":60000000}

            """;
        const string request = """{"model":"llama3.2","messages":[{"role":"user","content":"hi"}],"options":{"temperature":0.1,"num_predict":50}}""";

        var chain = Calls.Streamed("/api/chat", "localhost:11434", request, stream, readSize: 30, contentType: "application/x-ndjson");

        var sse = chain.Sse();
        Assert.Equal(("ollama", "ndjson", "end_marker"), ((string?)sse["provider"], (string?)sse["framing"], (string?)sse["end_reason"]));
        var llm = chain.Llm();
        Assert.Equal("ollama", (string?)llm["gen_ai.provider.name"]);
        Assert.Equal("Hello", ExpectedCall.OutputText(llm));
        Assert.Equal((26L, 3L), ((long)llm["gen_ai.usage.input_tokens"]!, (long)llm["gen_ai.usage.output_tokens"]!));
        Assert.Equal(50, (long)llm["gen_ai.request.max_tokens"]!);
        Assert.Equal(11434, (long)llm["server.port"]!);
    }

    [Fact]
    public void An_openai_compatible_gateway_with_keep_alive_comments_and_an_in_stream_error()
    {
        const string stream = """
            : OPENROUTER PROCESSING

            data: {"id":"gen-1","object":"chat.completion.chunk","model":"anthropic/claude-x","choices":[{"index":0,"delta":{"content":"Partial"},"finish_reason":null}]}

            : OPENROUTER PROCESSING

            data: {"id":"gen-1","object":"chat.completion.chunk","model":"anthropic/claude-x","error":{"code":502,"message":"Provider disconnected"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}

            data: [DONE]


            """;

        var chain = Calls.Streamed("/api/v1/chat/completions", "openrouter.ai", """{"model":"anthropic/claude-x","stream":true,"messages":[{"role":"user","content":"hi"}]}""", stream);

        var llm = chain.Llm();
        Assert.Equal("openrouter", (string?)llm["gen_ai.provider.name"]);
        Assert.Equal("502", (string?)llm["error.type"]);
        Assert.Equal("Partial", ExpectedCall.OutputText(llm));
        Assert.Equal(2, chain.Context("sse").CounterValue("comments"));
    }

    [Fact]
    public void Vertex_anthropic_raw_predict_takes_the_model_from_the_path()
    {
        const string request = """{"anthropic_version":"vertex-2023-10-16","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";
        const string stream = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_v\",\"model\":\"claude-sonnet-4\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

        var chain = Calls.Streamed("/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict",
            "us-east5-aiplatform.googleapis.com", request, stream);

        var llm = chain.Llm();
        Assert.Equal("gcp.vertex_ai", (string?)llm["gen_ai.provider.name"]);
        Assert.Equal("claude-sonnet-4@20250514", (string?)llm["gen_ai.request.model"]);
        Assert.Equal("ok", ExpectedCall.OutputText(llm));
    }
}
