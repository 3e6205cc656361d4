using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentSight.Contracts;
using AgentSight.Traffic;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Runners;

/// <summary>The generator: reproducible, and its bytes are real HTTP/1.1 exchanges of each provider's API.</summary>
public sealed partial class SyntheticTrafficTests
{
    /// <summary>Enough calls for every kind of episode, provider and read cut to occur.</summary>
    private static readonly Lazy<SyntheticRecording> Large = new(() =>
        SyntheticTraffic.Generate(new SyntheticOptions { Count = 80, Seed = 5, StartTime = Some.Epoch }));

    private static SyntheticRecording Recording => Large.Value;

    private static Dictionary<ulong, ConnectionTraffic> Connections => ConnectionTraffic.Of(Recording.Events);

    private static IEnumerable<(SyntheticCall Call, HttpMessage Request, HttpMessage Response)> Exchanges(SyntheticRecording recording)
    {
        foreach (var (id, traffic) in ConnectionTraffic.Of(recording.Events))
        {
            var calls = recording.Calls.Where(c => c.ConnectionId == id).OrderBy(c => c.RequestTimestamp).ToList();
            var requests = traffic.Requests();
            var responses = traffic.Responses();
            for (var i = 0; i < calls.Count; i++)
            {
                yield return (calls[i], requests[i], responses[i]);
            }
        }
    }

    private static List<SseEvent> Sse(HttpMessage response)
    {
        var (events, _, complete) = SseEvent.ParseAll(response.BodyText);
        Assert.True(complete, "the stream ends on a complete event");
        return events;
    }

    [Fact]
    public void The_same_seed_gives_byte_identical_traffic()
    {
        var options = new SyntheticOptions { Count = 9, Seed = 42, StartTime = Some.Epoch };

        var first = SyntheticTraffic.Generate(options);
        var second = SyntheticTraffic.Generate(options);

        Assert.Equal(first.Events.Select(RunnerHarness.Line), second.Events.Select(RunnerHarness.Line));
        Assert.Equal(first.Calls.Select(c => (c.AnswerText, c.Usage, c.ResponseId)), second.Calls.Select(c => (c.AnswerText, c.Usage, c.ResponseId)));
    }

    [Fact]
    public void Different_seeds_give_different_traffic()
    {
        var first = SyntheticTraffic.Generate(new SyntheticOptions { Count = 5, Seed = 1, StartTime = Some.Epoch });
        var second = SyntheticTraffic.Generate(new SyntheticOptions { Count = 5, Seed = 2, StartTime = Some.Epoch });

        Assert.NotEqual(first.Events.Select(RunnerHarness.Line), second.Events.Select(RunnerHarness.Line));
    }

    [Fact]
    public void Generating_episode_by_episode_gives_the_same_events_as_all_at_once()
    {
        var options = new SyntheticOptions { Count = 12, Seed = 3, StartTime = Some.Epoch };

        var episodes = new SyntheticTraffic(options).Episodes().ToList();
        var whole = SyntheticTraffic.Generate(options);

        Assert.Equal(whole.Events.Select(RunnerHarness.Line), episodes.SelectMany(e => e.Events).Select(RunnerHarness.Line));
        Assert.All(episodes, e => Assert.Equal(e.Events.Count, e.CallIndexes.Count));
        Assert.Equal(Enumerable.Range(0, 12), episodes.SelectMany(e => e.Calls).Select(c => c.Index));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(13)]
    public void Exactly_the_requested_number_of_calls_is_generated(int count)
    {
        var recording = SyntheticTraffic.Generate(new SyntheticOptions { Count = count, Seed = 11, StartTime = Some.Epoch });

        Assert.Equal(count, recording.Calls.Count);
        Assert.Equal(count, recording.Events.Count(e => ((TlsPayload)e.Data).Bytes.Span.StartsWith("POST "u8)));
    }

    [Theory]
    [InlineData("anthropic", "api.anthropic.com", "/v1/messages")]
    [InlineData("openai", "api.openai.com", "/v1/chat/completions")]
    [InlineData("openai-responses", "api.openai.com", "/v1/responses")]
    [InlineData("gemini", "generativelanguage.googleapis.com", "/v1beta/models/")]
    public void Choosing_a_provider_by_name_makes_only_its_calls(string name, string host, string path)
    {
        Assert.True(SyntheticProviders.TryParse(name, out var chosen));
        var provider = chosen.Value;
        var recording = SyntheticTraffic.Generate(new SyntheticOptions { Count = 10, Seed = 8, Provider = provider, StartTime = Some.Epoch });

        Assert.All(recording.Calls, c => Assert.Equal(provider, c.Provider));
        Assert.All(Exchanges(recording), x => Assert.Equal(host, x.Request.Header("Host")));
        Assert.All(Exchanges(recording), x => Assert.StartsWith("POST " + path, x.Request.StartLine));
    }

    [Fact]
    public void Mixed_traffic_covers_the_four_providers_and_the_three_kinds_of_client()
    {
        Assert.Equal(SyntheticProviders.Concrete.Order(), Recording.Calls.Select(c => c.Provider).Distinct().Order());
        Assert.Equal(["claude", "node", "python3"], Recording.Calls.Select(c => c.Comm).Distinct().Order());
        Assert.Contains(Recording.Calls, c => c.Stream);
        Assert.Contains(Recording.Calls, c => !c.Stream);
    }

    [Fact]
    public void Each_direction_of_each_connection_joins_into_complete_HTTP_messages()
    {
        foreach (var (id, traffic) in Connections)
        {
            var calls = Recording.Calls.Count(c => c.ConnectionId == id);
            var requests = traffic.Requests();
            var responses = traffic.Responses();

            Assert.Equal(calls, requests.Count);
            Assert.Equal(calls, responses.Count);
            Assert.All(requests, r => Assert.Matches("^POST /[^ ]+ HTTP/1.1$", r.StartLine));
            Assert.All(responses, r => Assert.Equal("HTTP/1.1 200 OK", r.StartLine));
        }
    }

    [Fact]
    public void Requests_have_an_exact_content_length_and_the_providers_host_path_and_credential_header()
    {
        foreach (var (call, request, _) in Exchanges(Recording))
        {
            Assert.Equal(call.RequestBody, request.BodyText);
            Assert.Equal(Encoding.UTF8.GetByteCount(call.RequestBody).ToString(), request.Header("Content-Length"));
            Assert.Equal($"POST {call.Path} HTTP/1.1", request.StartLine);
            Assert.Equal(call.Host, request.Header("Host"));
            switch (call.Provider)
            {
                case SyntheticProvider.Anthropic:
                    Assert.Equal(call.ApiKey, request.Header("x-api-key"));
                    Assert.Matches(AnthropicKey(), call.ApiKey);
                    Assert.Equal("2023-06-01", request.Header("anthropic-version"));
                    Assert.StartsWith("/v1/messages", call.Path);
                    break;
                case SyntheticProvider.OpenAi or SyntheticProvider.OpenAiResponses:
                    Assert.Equal("Bearer " + call.ApiKey, request.Header("Authorization"));
                    Assert.Matches(OpenAiKey(), call.ApiKey);
                    Assert.Equal(call.Provider == SyntheticProvider.OpenAi ? "/v1/chat/completions" : "/v1/responses", call.Path);
                    break;
                default:
                    Assert.Equal(call.ApiKey, request.Header("x-goog-api-key"));
                    Assert.Matches(GeminiKey(), call.ApiKey);
                    Assert.Equal(call.Stream
                        ? $"/v1beta/models/{call.Model}:streamGenerateContent?alt=sse"
                        : $"/v1beta/models/{call.Model}:generateContent", call.Path);
                    break;
            }
            Assert.Contains("FAKE", call.ApiKey, StringComparison.Ordinal);
            Assert.Equal("application/json", request.Header("Content-Type"));
        }
    }

    [Fact]
    public void Request_bodies_carry_the_model_the_system_prompt_the_conversation_and_the_stream_flag()
    {
        foreach (var (call, request, _) in Exchanges(Recording))
        {
            var body = JsonNode.Parse(request.BodyText)!.AsObject();
            switch (call.Provider)
            {
                case SyntheticProvider.Anthropic:
                    Assert.Equal(call.Model, (string?)body["model"]);
                    Assert.NotNull(body["system"]);
                    Assert.True(body["max_tokens"]!.GetValue<int>() > 0);
                    Assert.NotEmpty(body["messages"]!.AsArray());
                    Assert.Equal(call.Stream, (bool)body["stream"]!);
                    break;
                case SyntheticProvider.OpenAi:
                    Assert.Equal(call.Model, (string?)body["model"]);
                    Assert.Equal("system", (string?)body["messages"]![0]!["role"]);
                    Assert.Equal(call.Stream, (bool)body["stream"]!);
                    Assert.Equal(call.Stream, body["stream_options"]?["include_usage"]?.GetValue<bool>() == true);
                    break;
                case SyntheticProvider.OpenAiResponses:
                    Assert.Equal(call.Model, (string?)body["model"]);
                    Assert.False(string.IsNullOrEmpty((string?)body["instructions"]));
                    Assert.NotEmpty(body["input"]!.AsArray());
                    Assert.Equal(call.Stream, (bool)body["stream"]!);
                    break;
                default:
                    Assert.Null(body["model"]);
                    Assert.NotEmpty(body["contents"]!.AsArray());
                    Assert.NotNull(body["systemInstruction"]!["parts"]);
                    break;
            }
        }
    }

    [Fact]
    public void Some_requests_define_tools_and_send_tool_results_back_in_each_providers_shape()
    {
        var bodies = Exchanges(Recording).Select(x => (x.Call.Provider, Body: x.Request.BodyText)).ToList();

        bool Any(SyntheticProvider provider, string fragment) => bodies.Any(b => b.Provider == provider && b.Body.Contains(fragment, StringComparison.Ordinal));

        Assert.True(Any(SyntheticProvider.Anthropic, "\"input_schema\"") && Any(SyntheticProvider.Anthropic, "\"type\":\"tool_result\""));
        Assert.True(Any(SyntheticProvider.OpenAi, "\"type\":\"function\"") && Any(SyntheticProvider.OpenAi, "\"role\":\"tool\""));
        Assert.True(Any(SyntheticProvider.OpenAiResponses, "\"parameters\"") && Any(SyntheticProvider.OpenAiResponses, "\"type\":\"function_call_output\""));
        Assert.True(Any(SyntheticProvider.Gemini, "\"functionDeclarations\"") && Any(SyntheticProvider.Gemini, "\"functionResponse\""));
        Assert.Contains(bodies, b => !b.Body.Contains("tool", StringComparison.OrdinalIgnoreCase) && !b.Body.Contains("function", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Streamed_responses_are_chunked_event_streams_and_the_others_JSON_with_a_length()
    {
        foreach (var (call, _, response) in Exchanges(Recording))
        {
            if (call.Stream)
            {
                Assert.StartsWith("text/event-stream", response.Header("Content-Type"));
                Assert.Equal("chunked", response.Header("Transfer-Encoding"));
                Assert.Null(response.Header("Content-Length"));
                Assert.True(response.Chunked);
            }
            else
            {
                Assert.StartsWith("application/json", response.Header("Content-Type"));
                Assert.Null(response.Header("Transfer-Encoding"));
                Assert.Equal(response.Body.Length.ToString(), response.Header("Content-Length"));
            }
        }
    }

    [Fact]
    public void Every_stream_decodes_to_the_generated_answer_tool_calls_and_usage()
    {
        var streams = 0;
        foreach (var (call, _, response) in Exchanges(Recording).Where(x => x.Call.Stream))
        {
            var events = Sse(response);
            foreach (var evt in events)
            {
                if (evt.Data == "[DONE]")
                {
                    Assert.Equal(SyntheticProvider.OpenAi, call.Provider);
                    Assert.Same(events[^1], evt);
                    continue;
                }
                Assert.IsType<JsonObject>(JsonNode.Parse(evt.Data));
            }
            AssertDecodesToCall(call, DecodedAnswer.FromStream(call.Provider, events));
            streams++;
        }
        Assert.True(streams > 20);
    }

    [Fact]
    public void Every_JSON_response_decodes_to_the_generated_answer_tool_calls_and_usage()
    {
        var bodies = 0;
        foreach (var (call, _, response) in Exchanges(Recording).Where(x => !x.Call.Stream))
        {
            AssertDecodesToCall(call, DecodedAnswer.FromBody(call.Provider, response.BodyText));
            bodies++;
        }
        Assert.True(bodies > 5);
    }

    private static void AssertDecodesToCall(SyntheticCall call, DecodedAnswer decoded)
    {
        Assert.Equal(call.AnswerText, decoded.Text);
        Assert.Equal(call.ResponseId, decoded.ResponseId);
        Assert.Equal(call.ResponseModel, decoded.Model);
        Assert.Equal(call.FinishReason, decoded.FinishReason);
        Assert.Equal(call.Usage.InputTokens, decoded.InputTokens);
        Assert.Equal(call.Usage.OutputTokens, decoded.OutputTokens);
        Assert.Equal(call.Usage.CachedInputTokens, decoded.CachedInputTokens);
        Assert.Equal(call.Usage.CacheCreationInputTokens, decoded.CacheCreationInputTokens);
        Assert.Equal(call.Usage.ReasoningTokens, decoded.ReasoningTokens);
        Assert.Equal(call.ToolCalls.Count, decoded.ToolCalls.Count);
        foreach (var (expected, actual) in call.ToolCalls.Zip(decoded.ToolCalls))
        {
            Assert.Equal(expected.Id, actual.Id);
            Assert.Equal(expected.Name, actual.Name);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected.ArgumentsJson), JsonNode.Parse(actual.Arguments)),
                $"{call}: arguments {actual.Arguments} differ from {expected.ArgumentsJson}");
        }
        var stopReasons = call.Provider switch
        {
            SyntheticProvider.Anthropic => call.ToolCalls.Count > 0 ? "tool_use" : "end_turn",
            SyntheticProvider.OpenAi => call.ToolCalls.Count > 0 ? "tool_calls" : "stop",
            SyntheticProvider.OpenAiResponses => "completed",
            _ => "STOP",
        };
        Assert.Equal(stopReasons, decoded.FinishReason);
    }

    [Fact]
    public void Anthropic_streams_follow_the_Messages_API_event_sequence()
    {
        foreach (var (_, _, response) in Exchanges(Recording).Where(x => x.Call.Provider == SyntheticProvider.Anthropic && x.Call.Stream))
        {
            var events = Sse(response);
            var types = events.Select(e => (string)JsonNode.Parse(e.Data)!["type"]!).ToList();
            Assert.Equal(types, events.Select(e => e.Type));
            Assert.Equal("message_start", types[0]);
            Assert.Equal(["message_delta", "message_stop"], types[^2..]);
            Assert.Contains("ping", types);
            var open = new HashSet<int>();
            foreach (var data in events.Select(e => JsonNode.Parse(e.Data)!))
            {
                switch ((string)data["type"]!)
                {
                    case "content_block_start":
                        Assert.True(open.Add((int)data["index"]!));
                        break;
                    case "content_block_delta":
                        Assert.Contains((int)data["index"]!, open);
                        break;
                    case "content_block_stop":
                        Assert.True(open.Remove((int)data["index"]!));
                        break;
                }
            }
            Assert.Empty(open);
            Assert.DoesNotContain("\r\n", response.BodyText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OpenAI_chat_streams_end_with_a_usage_chunk_without_choices_then_DONE()
    {
        foreach (var (call, _, response) in Exchanges(Recording).Where(x => x.Call.Provider == SyntheticProvider.OpenAi && x.Call.Stream))
        {
            var events = Sse(response);
            Assert.All(events, e => Assert.Null(e.Type));
            Assert.Equal("[DONE]", events[^1].Data);
            var chunks = events.SkipLast(1).Select(e => JsonNode.Parse(e.Data)!).ToList();
            Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string?)c["object"]));
            Assert.All(chunks, c => Assert.Equal(call.ResponseId, (string?)c["id"]));
            Assert.Empty(chunks[^1]["choices"]!.AsArray());
            Assert.NotNull(chunks[^1]["usage"]);
            Assert.All(chunks.SkipLast(1), c => Assert.Null(c["usage"]));
            Assert.Equal("assistant", (string?)chunks[0]["choices"]![0]!["delta"]!["role"]);
        }
    }

    [Fact]
    public void OpenAI_chat_streams_sometimes_carry_tool_call_deltas()
    {
        var withTools = Exchanges(Recording)
            .Where(x => x.Call.Provider == SyntheticProvider.OpenAi && x.Call.Stream && x.Call.ToolCalls.Count > 0)
            .Select(x => Sse(x.Response))
            .ToList();

        Assert.NotEmpty(withTools);
        Assert.All(withTools, events => Assert.Contains(events, e => e.Data.Contains("\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":", StringComparison.Ordinal)));
    }

    [Fact]
    public void Responses_API_streams_number_their_events_from_zero_and_end_with_response_completed()
    {
        foreach (var (_, _, response) in Exchanges(Recording).Where(x => x.Call.Provider == SyntheticProvider.OpenAiResponses && x.Call.Stream))
        {
            var events = Sse(response);
            var data = events.Select(e => JsonNode.Parse(e.Data)!).ToList();
            Assert.Equal(Enumerable.Range(0, events.Count), data.Select(d => (int)d["sequence_number"]!));
            Assert.Equal(events.Select(e => e.Type), data.Select(d => (string?)d["type"]));
            Assert.Equal("response.created", events[0].Type);
            Assert.Equal("response.completed", events[^1].Type);
            Assert.DoesNotContain(events, e => e.Data == "[DONE]");
        }
    }

    [Fact]
    public void Gemini_streams_are_data_only_with_CRLF_and_only_the_last_chunk_finishes()
    {
        var seen = 0;
        foreach (var (_, _, response) in Exchanges(Recording).Where(x => x.Call.Provider == SyntheticProvider.Gemini && x.Call.Stream))
        {
            var (events, allCrlf, complete) = SseEvent.ParseAll(response.BodyText);
            Assert.True(allCrlf && complete);
            Assert.All(events, e => Assert.Null(e.Type));
            var chunks = events.Select(e => JsonNode.Parse(e.Data)!).ToList();
            Assert.Equal("STOP", (string?)chunks[^1]["candidates"]![0]!["finishReason"]);
            Assert.All(chunks.SkipLast(1), c => Assert.Null(c["candidates"]![0]!["finishReason"]));
            Assert.All(chunks, c => Assert.NotNull(c["usageMetadata"]!["promptTokenCount"]));
            seen++;
        }
        Assert.True(seen > 0);
    }

    [Fact]
    public void Reads_cut_responses_inside_chunk_size_lines_SSE_lines_and_UTF8_characters()
    {
        int inSizeLine = 0, inSseLine = 0, inCharacter = 0, sizeLines = 0;
        foreach (var traffic in Connections.Values)
        {
            var received = traffic.Received;
            var responses = traffic.Responses();
            var sizeLineSpans = responses.SelectMany(r => r.SizeLines).ToList();
            sizeLines += sizeLineSpans.Count;
            foreach (var end in traffic.ReadEnds.Where(e => e < received.Length))
            {
                if (sizeLineSpans.Any(s => end > s.Start && end < s.Start + s.Length))
                {
                    inSizeLine++;
                }
                var lineStart = received.AsSpan(0, end).LastIndexOf((byte)'\n') + 1;
                if (received.AsSpan(lineStart, end - lineStart).StartsWith("data:"u8))
                {
                    inSseLine++;
                }
                if ((received[end] & 0xC0) == 0x80)
                {
                    inCharacter++;
                }
            }
        }

        Assert.True(sizeLines > 100);
        Assert.True(inSizeLine >= 3, $"{inSizeLine} reads ended inside a chunk-size line");
        Assert.True(inSseLine >= 3, $"{inSseLine} reads ended inside an SSE data line");
        Assert.True(inCharacter >= 3, $"{inCharacter} reads ended inside a UTF-8 character");
    }

    [Fact]
    public void Some_answers_hold_accented_Japanese_and_emoji_text()
    {
        var answers = Recording.Calls.Select(c => c.AnswerText).ToList();

        Assert.Contains(answers, a => a.Contains('é'));
        Assert.Contains(answers, a => a.Contains("日本", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.EnumerateRunes().Any(r => r.Utf8SequenceLength == 4));
        Assert.Contains(answers, a => a.All(char.IsAscii));
    }

    [Fact]
    public void Kept_alive_connections_carry_several_calls_and_only_new_connections_begin_with_a_handshake()
    {
        foreach (var (id, traffic) in Connections)
        {
            var calls = Recording.Calls.Where(c => c.ConnectionId == id).OrderBy(c => c.RequestTimestamp).ToList();
            var handshakes = traffic.Events.Where(e => ((TlsPayload)e.Data).Direction == TlsDirection.Handshake).ToList();

            Assert.True(calls[0].NewConnection);
            Assert.All(calls.Skip(1), c => Assert.False(c.NewConnection));
            Assert.Same(traffic.Events[0], Assert.Single(handshakes));
        }
        Assert.Contains(Connections, c => Recording.Calls.Count(call => call.ConnectionId == c.Key) >= 3);
    }

    [Fact]
    public void Two_connections_of_one_process_sometimes_interleave_their_reads()
    {
        var interleaved = Recording.Events
            .Where(e => ((TlsPayload)e.Data).Direction == TlsDirection.Read)
            .GroupBy(e => (e.Pid, e.Tid))
            .Any(thread =>
            {
                var connections = thread.Select(e => ((TlsPayload)e.Data).ConnectionId).ToList();
                var switches = connections.Zip(connections.Skip(1)).Count(p => p.First != p.Second);
                return Enumerable.Range(0, Math.Max(0, connections.Count - 2)).Any(i =>
                    connections[i] != connections[i + 1] && connections[i] == connections[i + 2]) && switches >= 3;
            });

        Assert.True(interleaved, "no thread read two connections alternately");
    }

    [Fact]
    public void Timestamps_start_at_the_start_time_increase_and_follow_realistic_latencies()
    {
        var events = Recording.Events;
        Assert.True(events[0].Timestamp >= Some.Epoch);
        Assert.True(events[0].Timestamp < Some.Epoch + 1_000_000_000);
        Assert.All(events.Zip(events.Skip(1)), p => Assert.True(p.Second.Timestamp > p.First.Timestamp));

        var firstByte = Recording.Calls.Where(c => c.Stream).Select(c => (c.FirstResponseTimestamp - c.RequestTimestamp) / 1e6).Order().ToList();
        Assert.All(firstByte, ms => Assert.InRange(ms, 100, 3_000));
        Assert.InRange(firstByte[firstByte.Count / 2], 200, 700);

        var gaps = new List<double>();
        foreach (var call in Recording.Calls.Where(c => c.Stream))
        {
            var reads = events.Where(e => e.Data is TlsPayload { Direction: TlsDirection.Read } tls && tls.ConnectionId == call.ConnectionId
                && e.Timestamp >= call.FirstResponseTimestamp && e.Timestamp <= call.LastResponseTimestamp).Select(e => e.Timestamp).ToList();
            gaps.AddRange(reads.Zip(reads.Skip(1)).Select(p => (p.Second - p.First) / 1e6));
        }
        gaps.Sort();
        Assert.InRange(gaps[gaps.Count / 2], 0.001, 50);
    }

    [Fact]
    public void Events_look_like_captures_of_agent_processes()
    {
        foreach (var evt in Recording.Events)
        {
            var tls = Assert.IsType<TlsPayload>(evt.Data);
            Assert.Equal("ssl", evt.Source);
            Assert.Equal(1000u, tls.Uid);
            Assert.Contains(evt.Comm, new[] { "python3", "node", "claude" });
            Assert.InRange(evt.Pid, 300, 4_194_304);
            Assert.True(evt.Comm == "python3" ? evt.Tid >= evt.Pid : evt.Tid == evt.Pid);
            Assert.True(tls.LatencyNs > 0);
            Assert.False(tls.Truncated);
            Assert.NotEqual(0UL, tls.ConnectionId);
            if (tls.Direction == TlsDirection.Handshake)
            {
                Assert.False(tls.HasBytes);
            }
            else
            {
                Assert.Equal(tls.Bytes.Length, tls.Length);
                Assert.InRange(tls.Length, 1, 16 * 1024);
            }
        }
    }

    [Fact]
    public void A_process_sends_the_same_key_on_every_call_to_a_provider()
    {
        var keys = Recording.Calls.GroupBy(c => (c.Pid, c.Provider)).Select(g => g.Select(c => c.ApiKey).Distinct().Count());

        Assert.All(keys, count => Assert.Equal(1, count));
    }

    [GeneratedRegex("^sk-ant-api03-[A-Za-z0-9_-]{93}AA$")]
    private static partial Regex AnthropicKey();

    [GeneratedRegex("^sk-proj-[A-Za-z0-9_-]{74}T3BlbkFJ[A-Za-z0-9_-]{74}$")]
    private static partial Regex OpenAiKey();

    [GeneratedRegex("^AIza[0-9A-Za-z_-]{35}$")]
    private static partial Regex GeminiKey();
}
