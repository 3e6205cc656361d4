using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Mcp;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Mcp;

/// <summary>
/// The edges of the mcp analyzer's stdio reading that a real SDK session does not reach: other framings, noise on the
/// stream, messages past the cap, lost bytes, unknown peers and its bounds.
/// </summary>
public sealed class McpFramingTests
{
    private const int Client = 700;
    private const int Server = 800;

    private long _time = Some.Epoch;

    private AgentEvent Write(int pid, string text, int? peer, ulong stream, long bytesLost = 0)
    {
        _time += 1_000_000;
        var bytes = Encoding.UTF8.GetBytes(text);
        return new AgentEvent(_time, EventSources.Stdio, pid, pid, pid == Client ? "agent" : "server",
            new StdioPayload(IoDirection.Write, pid == Client ? 9 : 1, bytes, bytes.Length + bytesLost)
            {
                Kind = "pipe", StreamId = stream, PeerPid = peer, BytesLost = bytesLost,
            });
    }

    private AgentEvent Ask(string text, int? peer = Server, long bytesLost = 0) => Write(Client, text, peer, 11, bytesLost);

    private AgentEvent Answer(string text, int? peer = Client) => Write(Server, text, peer, 12);

    private static string Request(int id, string method, string parameters = "{}") =>
        $$"""{"jsonrpc":"2.0","id":{{id}},"method":"{{method}}","params":{{parameters}}}""";

    private static string Result(int id, string result) => $$"""{"jsonrpc":"2.0","id":{{id}},"result":{{result}}}""";

    private static AnalyzerChain Chain(McpAnalyzerConfig? config = null) =>
        new AnalyzerChain().Add("mcp", ctx => new McpAnalyzerFactory().Create(config ?? new McpAnalyzerConfig(), ctx));

    private static List<JsonObject> Calls(AnalyzerChain chain) => [.. chain.OfSource("mcp").Select(e => e.Fields!)];

    /// <summary>
    /// Live capture knows a stream's other end only once that end has used it: the agent's <c>initialize</c> goes out
    /// with no peer. The names learned from it still reach every later call of the pair.
    /// </summary>
    [Fact]
    public void The_server_and_client_names_reach_later_calls_when_initialize_went_out_before_its_peer_was_known()
    {
        var chain = Chain().Run([
            Ask(Request(0, "initialize", """{"protocolVersion":"2025-06-18","clientInfo":{"name":"agent","version":"1.2"},"capabilities":{}}""") + "\n", peer: null),
            Answer(Result(0, """{"protocolVersion":"2025-06-18","serverInfo":{"name":"files","version":"0.2.0"},"capabilities":{}}""") + "\n"),
            Ask(Request(1, "tools/call", """{"name":"read","arguments":{"path":"a"}}""") + "\n"),
            Answer(Result(1, """{"content":[]}""") + "\n"),
        ]);

        var calls = Calls(chain);
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c =>
        {
            Assert.Equal("files", (string?)c["server"]?["name"]);
            Assert.Equal("agent", (string?)c["client"]?["name"]);
            Assert.Equal((Client, Server), ((int?)c["client_pid"], (int?)c["server_pid"]));
        });
    }

    [Fact]
    public void Content_length_framed_messages_are_read_whatever_the_writes()
    {
        var ask = Request(1, "tools/call", """{"name":"grep","arguments":{"q":"x"}}""");
        var answer = Result(1, """{"content":[{"type":"text","text":"found"}]}""");
        var framedAsk = $"Content-Length: {Encoding.UTF8.GetByteCount(ask)}\r\n\r\n{ask}";
        var framedAnswer = $"Content-Length: {Encoding.UTF8.GetByteCount(answer)}\r\nContent-Type: application/json\r\n\r\n{answer}";
        for (var cut = 1; cut < framedAsk.Length; cut += 7)
        {
            var chain = Chain().Run([Ask(framedAsk[..cut]), Ask(framedAsk[cut..]), Answer(framedAnswer)]);

            var call = Assert.Single(Calls(chain));
            Assert.Equal("grep", (string?)call["gen_ai.tool.name"]);
            Assert.Equal("found", (string?)call["result"]!["content"]![0]!["text"]);
            Assert.True((bool)call["complete"]!);
        }
    }

    [Fact]
    public void A_servers_log_lines_on_stdout_are_skipped_and_counted_and_its_answers_still_pair()
    {
        var chain = Chain().Run([
            Answer("Secure MCP Filesystem Server running on stdio\n"),
            Ask(Request(0, "tools/list") + "\n"),
            Answer("warning: cache is cold\n" + Result(0, """{"tools":[]}""") + "\nCompiled in 12 ms\n"),
        ]);

        var call = Assert.Single(Calls(chain));
        Assert.Equal("tools/list", (string?)call["mcp.method.name"]);
        Assert.True((bool)call["complete"]!);
        Assert.Equal(3, chain.Context("mcp").CounterValue("lines_not_json"));
    }

    [Fact]
    public void A_message_past_the_cap_is_still_paired_by_its_id_with_its_content_left_out()
    {
        var big = new string('x', 10_000);
        var chain = Chain(new McpAnalyzerConfig { MaxMessageBytes = 1024 }).Run([
            Ask(Request(7, "resources/read", """{"uri":"file:///big.txt"}""") + "\n"),
            Answer($$"""{"result":{"contents":[{"uri":"file:///big.txt","text":"{{big}}"}]},"jsonrpc":"2.0","id":7}""" + "\n"),
        ]);

        var call = Assert.Single(Calls(chain));
        Assert.Equal("resources/read", (string?)call["mcp.method.name"]);
        Assert.Equal("file:///big.txt", (string?)call["mcp.resource.uri"]);
        Assert.True((bool)call["complete"]!);
        Assert.True((bool)call["truncated"]!);
        Assert.Null(call["result"]);
        Assert.Equal(1, chain.Context("mcp").CounterValue("messages_too_large"));
    }

    [Fact]
    public void Bytes_the_capture_lost_drop_their_message_and_the_next_one_is_read()
    {
        var first = Request(1, "tools/call", """{"name":"a","arguments":{}}""");
        var chain = Chain().Run([
            Ask(first[..20], bytesLost: 40),
            Ask(first[60..] + "\n" + Request(2, "tools/call", """{"name":"b","arguments":{}}""") + "\n"),
            Answer(Result(2, "{}") + "\n"),
        ]);

        var call = Assert.Single(Calls(chain));
        Assert.Equal("b", (string?)call["gen_ai.tool.name"]);
        Assert.Equal(1, chain.Context("mcp").CounterValue("gaps"));
        Assert.Equal(0, chain.Context("mcp").CounterValue("messages_unreadable"));
    }

    [Fact]
    public void Without_the_peer_a_response_pairs_with_the_waiting_request_of_its_id()
    {
        var chain = Chain().Run([
            Ask(Request(3, "tools/call", """{"name":"a","arguments":{}}""") + "\n", peer: null),
            Answer(Result(3, """{"content":[]}""") + "\n", peer: null),
        ]);

        var call = Assert.Single(Calls(chain));
        Assert.True((bool)call["complete"]!);
        Assert.Equal(Client, (int?)call["client_pid"]);
        Assert.Equal(Server, (int?)call["server_pid"]);
    }

    [Fact]
    public void Past_max_pending_the_oldest_waiting_request_goes_out_unanswered_and_counted()
    {
        var chain = Chain(new McpAnalyzerConfig { MaxPending = 2 }).Run([
            Ask(Request(1, "ping") + "\n"),
            Ask(Request(2, "ping") + "\n"),
            Ask(Request(3, "ping") + "\n"),
            Answer(Result(2, "{}") + "\n" + Result(3, "{}") + "\n" + Result(1, "{}") + "\n"),
        ]);

        var calls = Calls(chain);
        Assert.Equal(["1", "2", "3"], calls.Select(c => (string?)c["jsonrpc.request.id"]));
        Assert.False((bool)calls[0]["complete"]!);
        Assert.True((bool)calls[1]["complete"]! && (bool)calls[2]["complete"]!);
        var mcp = chain.Context("mcp");
        Assert.Equal(1, mcp.CounterValue("pending_evicted"));
        Assert.Equal(1, mcp.CounterValue("responses_unpaired"));
        Assert.Equal(1, mcp.CounterValue("calls_unanswered"));
    }

    [Fact]
    public void A_string_id_and_a_number_id_of_the_same_digits_are_different_requests()
    {
        var chain = Chain().Run([
            Ask("""{"jsonrpc":"2.0","id":"5","method":"tools/list"}""" + "\n"),
            Ask(Request(5, "prompts/list") + "\n"),
            Answer(Result(5, """{"prompts":[]}""") + "\n" + """{"jsonrpc":"2.0","id":"5","result":{"tools":[]}}""" + "\n"),
        ]);

        var calls = Calls(chain);
        Assert.Equal(["prompts/list", "tools/list"], calls.Select(c => (string?)c["mcp.method.name"]));
        Assert.NotNull(calls[0]["result"]!["prompts"]);
        Assert.NotNull(calls[1]["result"]!["tools"]);
    }

    [Fact]
    public void A_batch_is_read_message_by_message()
    {
        var chain = Chain().Run([
            Ask($"[{Request(1, "tools/list")},{Request(2, "prompts/list")}]\n"),
            Answer($$"""[{{Result(2, "{}")}},{{Result(1, "{}")}}]""" + "\n"),
        ]);

        Assert.Equal(["prompts/list", "tools/list"], Calls(chain).Select(c => (string?)c["mcp.method.name"]));
    }

    [Fact]
    public void A_streamable_HTTP_answer_as_application_json_pairs_with_its_post_and_carries_the_session()
    {
        var wire = new Wire();
        wire.Write(Wire.Request(Request(0, "initialize", """{"protocolVersion":"2025-06-18","clientInfo":{"name":"cli","version":"1"}}"""), path: "/mcp", host: "127.0.0.1:3001"))
            .Read(Wire.Response(Result(0, """{"protocolVersion":"2025-06-18","serverInfo":{"name":"json-server","version":"0.9"}}"""), extraHeaders: "Mcp-Session-Id: s-42\r\n"))
            .Write(Wire.Request(Request(1, "tools/call", """{"name":"lookup","arguments":{"q":"x"}}"""), path: "/mcp", host: "127.0.0.1:3001", extraHeaders: "Mcp-Session-Id: s-42\r\n"))
            .Read(Wire.Response("""{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"backend down"}}"""));

        var chain = McpOverStdioTests.Chain().Run(wire.Events);

        var calls = Calls(chain);
        Assert.Equal(["initialize", "tools/call"], calls.Select(c => (string?)c["mcp.method.name"]));
        Assert.All(calls, c =>
        {
            Assert.Equal("s-42", (string?)c["mcp.session.id"]);
            Assert.Equal("json-server", (string?)c["server"]!["name"]);
            Assert.Equal("127.0.0.1:3001/mcp", (string?)c["url"]);
            Assert.Equal(4242, (int?)c["client_pid"]);
        });
        Assert.True((bool)calls[1]["is_error"]!);
        Assert.Equal("-32603", (string?)calls[1]["error.type"]);
        Assert.Equal("backend down", (string?)calls[1]["error"]!["message"]);
        Assert.Equal("2025-06-18", (string?)calls[1]["mcp.protocol.version"]);
    }

    [Fact]
    public void Past_max_streams_a_stream_between_messages_is_forgotten_freely_and_one_inside_a_message_is_counted()
    {
        var chain = Chain(new McpAnalyzerConfig { MaxStreams = 1 }).Run([
            Ask(Request(1, "tools/list") + "\n"),
            Answer(Result(1, "{}") + "\n"),
            Ask(Request(2, "tools/list")[..10]),
            Answer(Result(9, "{}") + "\n"),
        ]);

        Assert.Equal("1", (string?)Assert.Single(Calls(chain), c => (bool)c["complete"]!)["jsonrpc.request.id"]);
        Assert.Equal(1, chain.Context("mcp").CounterValue("streams_evicted"));
    }

    [Fact]
    public void Every_key_is_checked_and_named_in_its_error()
    {
        var errors = new McpAnalyzerConfig { MaxMessageBytes = 10, MaxPending = 0, MaxStreams = 0, MaxHeldMessages = 0 }.Validate().ToList();

        Assert.Equal(["max_message_bytes", "max_pending", "max_streams", "max_held_messages"], errors.Select(e => e.Key));
        Assert.Empty(new McpAnalyzerConfig().Validate());
    }
}
