using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Llm;
using AgentSight.Tests.Analyzers.Support;

namespace AgentSight.Tests.Analyzers.Llm;

/// <summary>One llm event per call: non-streamed bodies, errors, pairing with streams, and what is not a call.</summary>
public sealed class LlmAnalyzerTests
{
    private const string AnthropicRequest = """{"model":"claude-x","max_tokens":100,"messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}}]}]}""";

    [Fact]
    public void A_non_streamed_call_gives_http_then_llm()
    {
        const string response = """{"id":"msg_9","type":"message","role":"assistant","model":"claude-x-1","content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"Hello"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":3,"output_tokens_details":{"thinking_tokens":2}}}""";

        var chain = Calls.Whole("/v1/messages", "api.anthropic.com", AnthropicRequest, response);

        Assert.Equal(["http", "llm"], chain.Output.Select(e => e.Source));
        var llm = chain.Llm();
        Assert.False((bool)llm["streaming"]!);
        Assert.True((bool)llm["complete"]!);
        Assert.Equal("Hello", ExpectedCall.OutputText(llm));
        Assert.Equal(15, (long)llm["gen_ai.usage.input_tokens"]!);
        Assert.Equal(2, (long)llm["gen_ai.usage.reasoning.output_tokens"]!);
        Assert.Equal("stop", (string?)llm["gen_ai.output.messages"]![0]!["finish_reason"]);
        Assert.False(llm.ContainsKey("time_to_first_chunk_ms"));
        Assert.True((double)llm["duration_ms"]! > 0);
        var image = llm["gen_ai.input.messages"]![0]!["parts"]![1]!;
        Assert.Equal(("blob", "image/png", "iVBOR"), ((string?)image["type"], (string?)image["mime_type"], (string?)image["content"]));
    }

    [Theory]
    [InlineData("/v1/messages", "api.anthropic.com", 429, """{"type":"error","error":{"type":"rate_limit_error","message":"slow down"},"request_id":"req_1"}""", "rate_limit_error")]
    [InlineData("/v1/chat/completions", "api.openai.com", 401, """{"error":{"message":"bad key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", "invalid_request_error")]
    [InlineData("/v1beta/models/gemini-2.5-pro:generateContent", "generativelanguage.googleapis.com", 400, """{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}""", "INVALID_ARGUMENT")]
    [InlineData("/v1/messages", "api.anthropic.com", 529, "<html>overloaded</html>", "529")]
    public void An_http_error_is_the_calls_error_type(string path, string host, int status, string body, string expected)
    {
        var request = path.Contains("gemini", StringComparison.Ordinal)
            ? """{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"""
            : """{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""";

        var llm = Calls.Whole(path, host, request, body, status).Llm();

        Assert.Equal(expected, (string?)llm["error.type"]);
        Assert.Equal(status, (long)llm["http.response.status_code"]!);
    }

    [Fact]
    public void Calls_that_are_not_to_a_model_pass_without_an_llm_event()
    {
        var wire = new Wire()
            .Write("GET /v1/messages HTTP/1.1\r\nHost: api.anthropic.com\r\n\r\n").Read(Wire.Response("[]"))
            .Write(Wire.Request("{\"hello\":1}", path: "/v1/threads/t/messages", host: "api.openai.com")).Read(Wire.Response("{}"))
            .Write(Wire.Request("{\"q\":1}", path: "/search", host: "example.com")).Read(Wire.ChunkedResponse(["data: x\n\n"]));

        var chain = AnalyzerChain.Default().Run(wire.Events);

        Assert.Empty(chain.OfSource("llm"));
        Assert.Equal(["http", "http", "http", "sse"], chain.Output.Select(e => e.Source));
    }

    [Fact]
    public void A_streamed_call_whose_stream_never_comes_goes_on_after_the_hold_timeout()
    {
        const string body = """{"model":"claude-x","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";
        var http = HttpRun.Of(new Wire().Write(Wire.Request(body)).Read(Wire.ChunkedResponse(["data: {}\n\n"])).Events).Output.Events.Single(e => e.Source == "http");
        var chain = new AnalyzerChain().Add("llm", c => new LlmAnalyzerFactory().Create(new LlmAnalyzerConfig { HoldTimeoutMs = 1000 }, c));

        chain.Push(http);
        Assert.Empty(chain.Output);
        chain.Tick(http.Timestamp + 2_000_000_000);

        Assert.Equal(["http", "llm"], chain.Output.Select(e => e.Source));
        Assert.False((bool)chain.Llm()["complete"]!);
        Assert.Equal(1, chain.Context("llm").CounterValue("sse_missing"));
    }

    [Fact]
    public void Held_calls_beyond_the_cap_go_on_oldest_first()
    {
        const string body = """{"model":"claude-x","max_tokens":5,"stream":true,"messages":[]}""";
        var wire = new Wire();
        for (ulong c = 1; c <= 5; c++)
        {
            wire.Write(Wire.Request(body), connection: c).Read(Wire.ChunkedResponse(["data: {}\n\n"]), connection: c);
        }
        var https = HttpRun.Of(wire.Events).Output.Events.Where(e => e.Source == "http").ToList();
        var chain = new AnalyzerChain().Add("llm", c => new LlmAnalyzerFactory().Create(new LlmAnalyzerConfig { MaxHeld = 2 }, c));

        chain.Run(https, flush: false);

        Assert.Equal(["0x1", "0x2", "0x3"], chain.OfSource("http").Select(e => (string?)e.Fields!["conn_id"]));
        Assert.Equal(3, chain.OfSource("llm").Count);
        Assert.Equal(2, ((LlmAnalyzer)chain.Analyzer(0)).HeldCount);
    }

    [Fact]
    public void A_responses_call_without_streaming_is_mapped_from_its_body()
    {
        const string request = """{"model":"gpt-5","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]},{"type":"function_call","call_id":"c1","name":"ls","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"a.txt"}],"max_output_tokens":50}""";
        const string response = """{"id":"resp_2","object":"response","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"model":"gpt-5-2025","output":[{"type":"reasoning","id":"rs_1","summary":[]},{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"Partial"}]}],"usage":{"input_tokens":20,"input_tokens_details":{"cached_tokens":8},"output_tokens":50,"output_tokens_details":{"reasoning_tokens":30},"total_tokens":70}}""";

        var llm = Calls.Whole("/v1/responses", "api.openai.com", request, response).Llm();

        Assert.Equal("""["max_output_tokens"]""", llm["gen_ai.response.finish_reasons"]!.ToJsonString());
        Assert.Equal("length", (string?)llm["gen_ai.output.messages"]![0]!["finish_reason"]);
        Assert.Equal((20L, 50L, 8L, 30L), ((long)llm["gen_ai.usage.input_tokens"]!, (long)llm["gen_ai.usage.output_tokens"]!,
            (long)llm["gen_ai.usage.cache_read.input_tokens"]!, (long)llm["gen_ai.usage.reasoning.output_tokens"]!));
        Assert.Equal(["user", "assistant", "tool"], llm["gen_ai.input.messages"]!.AsArray().Select(m => (string?)m!["role"]));
        Assert.Equal("Partial", ExpectedCall.OutputText(llm));
    }

    [Theory]
    [InlineData("/v1/chat/completions", "api.openai.com", """{"id":"c1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""")]
    [InlineData("/api/chat", "localhost:11434", """{"model":"llama3","message":{"role":"assistant","content":"ok"},"done":true,"done_reason":"stop"}""")]
    public void Chat_tools_become_function_definitions_and_other_tools_are_kept_as_sent(string path, string host, string response)
    {
        const string request = """{"model":"m","stream":false,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"ls","description":"List files.","parameters":{"type":"object","properties":{"dir":{"type":"string"}}}}},{"type":"web_search"}]}""";

        var llm = Calls.Whole(path, host, request, response).Llm();

        Assert.Equal(
            """[{"type":"function","name":"ls","description":"List files.","parameters":{"type":"object","properties":{"dir":{"type":"string"}}}},{"type":"web_search"}]""",
            llm["gen_ai.tool.definitions"]!.ToJsonString());
        Assert.Equal("ok", ExpectedCall.OutputText(llm));
    }

    [Fact]
    public void A_request_body_that_cannot_be_read_still_gives_the_call_by_its_path()
    {
        var wire = new Wire().Write(Wire.Request(new string('{', 40), path: "/v1/chat/completions", host: "api.openai.com"))
            .Read(Wire.Response("""{"id":"c","object":"chat.completion","model":"gpt-x","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}"""));

        var chain = AnalyzerChain.Default().Run(wire.Events);

        var llm = chain.Llm();
        Assert.Equal("ok", ExpectedCall.OutputText(llm));
        Assert.True((bool)llm["truncated"]!);
        Assert.Equal(1, chain.Context("llm").CounterValue("unreadable_requests"));
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("tool_calls", "tool_call")]
    [InlineData("SAFETY", "content_filter")]
    [InlineData("pause_turn", "pause_turn")]
    public void Finish_reasons_map_to_the_conventions_values(string provider, string expected) =>
        Assert.Equal(expected, ResponseMapper.FinishReason(provider, [], error: false));
}
