using System.Text;
using System.Text.Json;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Plugins.Sse;
using AgentSight.Tests.Analyzers.Support;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>
/// A key a model streams back, a few characters per event: whatever the sinks receive (the <c>sse</c> event's
/// <c>events</c>, the <c>http_body</c> pieces, the raw reads), the key cannot be put back together from them.
/// </summary>
public sealed class RedactStreamedPiecesTests
{
    /// <summary>The ways a user can have the pieces of a stream reach the sinks.</summary>
    public static TheoryData<string> Setups => ["include_events", "sse_disabled", "keep_chunks", "keep_raw", "http_disabled"];

    public static TheoryData<string, string> SetupsAndFormats
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var setup in Setups)
            {
                foreach (var format in new[] { "anthropic", "anthropic-tool", "openai-chat", "openai-responses", "gemini" })
                {
                    data.Add(setup, format);
                }
            }
            return data;
        }
    }

    private static List<string> Pieces(string text, Random random)
    {
        var pieces = new List<string>();
        for (var i = 0; i < text.Length;)
        {
            var length = Math.Min(text.Length - i, random.Next(1, 6));
            pieces.Add(text.Substring(i, length));
            i += length;
        }
        return pieces;
    }

    private static string Json(string text) => JsonSerializer.Serialize(text);

    /// <summary>The request path and the stream's events (each one SSE event) for a provider's format.</summary>
    private static (string Path, string Host, List<string> Events) Stream(string format, List<string> pieces) => format switch
    {
        "anthropic" => ("/v1/messages", "api.anthropic.com",
        [
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            .. pieces.Select(p => $"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":{Json(p)}}}}}\n\n"),
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":40}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        ]),
        "anthropic-tool" => ("/v1/messages", "api.anthropic.com",
        [
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{}}}\n\n",
            .. pieces.Select(p => $"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"input_json_delta\",\"partial_json\":{Json(p)}}}}}\n\n"),
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":40}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        ]),
        "openai-chat" => ("/v1/chat/completions", "api.openai.com",
        [
            .. pieces.Select(p => $"data: {{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-5\",\"system_fingerprint\":\"fp_1\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{Json(p)}}},\"logprobs\":null,\"finish_reason\":null}}]}}\n\n"),
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-5\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
            "data: [DONE]\n\n",
        ]),
        "openai-responses" => ("/v1/responses", "api.openai.com",
        [
            "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"model\":\"gpt-5\",\"output\":[]}}\n\n",
            .. pieces.Select((p, i) => $"event: response.output_text.delta\ndata: {{\"type\":\"response.output_text.delta\",\"sequence_number\":{i + 1},\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":{Json(p)},\"logprobs\":[]}}\n\n"),
            "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":999,\"response\":{\"id\":\"resp_1\",\"status\":\"completed\",\"model\":\"gpt-5\",\"output\":[]}}\n\n",
        ]),
        _ => ("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", "generativelanguage.googleapis.com",
        [
            .. pieces.Select(p => $"data: {{\"candidates\": [{{\"content\": {{\"parts\": [{{\"text\": {Json(p)}}}],\"role\": \"model\"}},\"index\": 0}}],\"usageMetadata\": {{\"promptTokenCount\": 9,\"candidatesTokenCount\": 3,\"totalTokenCount\": 12}},\"modelVersion\": \"gemini-2.5-pro\",\"responseId\": \"abcdefghijklmnop\"}}\r\n\r\n"),
        ]),
    };

    private static AnalyzerChain RunSetup(string setup, List<AgentEvent> events) => setup switch
    {
        "include_events" => RedactChain.Run(events, sse: new SseAnalyzerConfig { IncludeEvents = true }),
        "sse_disabled" => RedactChain.Run(events, withSse: false),
        "keep_chunks" => RedactChain.Run(events, sse: new SseAnalyzerConfig { KeepChunks = true, IncludeEvents = true }),
        "keep_raw" => RedactChain.Run(events, http: new HttpAnalyzerConfig { KeepRaw = true }),
        _ => RedactChain.Run(events, withHttp: false, withSse: false),
    };

    private static List<AgentEvent> Wire(string format, string answer, Random random)
    {
        var (path, host, stream) = Stream(format, Pieces(answer, random));
        var wire = new Support.Wire().Write(Support.Wire.Request("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", path, host))
            .Read(Support.Wire.StreamHead());
        foreach (var evt in stream)
        {
            wire.Read(Support.Wire.Chunk(evt));
        }
        wire.Read(Support.Wire.LastChunk);
        return wire.Events;
    }

    [Theory]
    [MemberData(nameof(SetupsAndFormats))]
    public void A_key_streamed_a_few_characters_per_event_cannot_be_rebuilt_from_any_output(string setup, string format)
    {
        foreach (var shape in SecretCorpus.Shapes)
        {
            var random = new Random(shape.Name.Length * 31 + format.Length);
            var key = shape.Make(random);
            var answer = format == "anthropic-tool"
                ? $"{{\"command\": \"export API_TOKEN={key} && deploy\"}}"
                : $"Here is the key you asked for: {key} — keep it safe.";

            var chain = RunSetup(setup, Wire(format, answer, random));

            Assert.NotEmpty(chain.Output);
            Leaks.AssertNone(key, chain.Output, shape.Prefix.Length);
        }
    }

    /// <summary>
    /// A key longer than what a stream remembers of each key's values (a JWT, a project key), streamed three
    /// characters per event, with the body read in small reads so that many reads carry no piece of it: the reads
    /// between its pieces must not make the redactor lose track of it once its start is far behind.
    /// </summary>
    [Theory]
    [InlineData("sse_disabled")]
    [InlineData("include_events")]
    [InlineData("http_disabled")]
    public void A_long_key_streamed_in_small_reads_is_replaced_to_its_end(string setup)
    {
        foreach (var shape in SecretCorpus.Shapes.Where(s => s.Make(new Random(1)).Length > 100))
        {
            var random = new Random(shape.Name.Length);
            var key = shape.Make(random);
            var wire = new Support.Wire()
                .Write(Support.Wire.Request("{\"model\":\"gpt-5\",\"stream\":true,\"messages\":[]}", "/v1/chat/completions", "api.openai.com"))
                .Read(Support.Wire.StreamHead());
            var (_, _, stream) = Stream("openai-chat", [.. $"Sure: {key} done".Chunk(3).Select(c => new string(c))]);
            foreach (var chunk in stream.Select(Support.Wire.Chunk))
            {
                foreach (var read in chunk.Chunk(16))
                {
                    wire.Read(new string(read));
                }
            }
            wire.Read(Support.Wire.LastChunk);

            var chain = RunSetup(setup, wire.Events);

            Leaks.AssertNone(key, chain.Output, shape.Prefix.Length);
        }
    }

    /// <summary>
    /// A token written as a URL's whole userinfo (<c>https://TOKEN@github.com/…</c>), streamed back a few characters per
    /// event: its first characters hold no digit, so until its <c>@</c> comes it could be a host name; it is still not
    /// readable from the pieces.
    /// </summary>
    [Theory]
    [InlineData("include_events")]
    [InlineData("sse_disabled")]
    [InlineData("keep_raw")]
    public void A_token_streamed_as_a_urls_userinfo_cannot_be_rebuilt(string setup)
    {
        const string token = "OJQIywesYfpw6Y2HoR17xK9qLm";
        for (var seed = 0; seed < 20; seed++)
        {
            var chain = RunSetup(setup, Wire("openai-chat", $"Sure:\ngit remote add origin https://{token}@github.com/acme/app.git\ndone", new Random(seed)));

            Leaks.AssertNone(token, chain.Output);
            if (setup != "sse_disabled")
            {
                // The answer as the llm event gives it (read from the stream by sse) keeps the URL around the marker.
                Assert.Contains("https://[REDACTED:url-userinfo]@github.com/acme/app.git", chain.OfSource("llm").Single().Fields!.ToJsonString(),
                    StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void With_the_events_kept_the_answer_still_reads_as_it_was_apart_from_the_key()
    {
        var key = Secrets.Anthropic;
        var chain = RunSetup("include_events", Wire("anthropic", $"Here: {key} — ok.", new Random(3)));

        var sse = chain.OfSource("sse").Single().Fields!;
        var deltas = string.Concat(sse["events"]!.AsArray()
            .Select(e => e!["data"]?["delta"]?["text"]?.GetValue<string>()).Where(t => t is not null));

        Assert.Equal("Here: [R] — ok.", RedactHarness.Normalize(deltas));
        Assert.Equal("Here: [REDACTED:anthropic-api-key] — ok.", sse["text"]!.GetValue<string>());
    }

    [Fact]
    public void A_split_key_in_the_original_tools_sse_events_is_replaced_in_data_and_parsed_data()
    {
        var key = Secrets.GitHub;
        var pieces = Pieces($"token {key} end", new Random(5));
        var events = new System.Text.Json.Nodes.JsonArray();
        foreach (var piece in pieces)
        {
            var data = $"{{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":{Json(piece)}}}}}";
            events.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["data"] = data,
                ["event"] = "content_block_delta",
                ["parsed_data"] = System.Text.Json.Nodes.JsonNode.Parse(data),
            });
        }
        var evt = Tests.Support.Some.JsonEvent("sse_processor", new System.Text.Json.Nodes.JsonObject { ["sse_events"] = events });

        var output = RedactHarness.Run(evt);

        Leaks.AssertNone(key, output, Secrets.PrefixOf(key));
        Assert.Contains("[REDACTED:", Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(RedactHarness.Ndjson(output))), StringComparison.Ordinal);
    }
}
