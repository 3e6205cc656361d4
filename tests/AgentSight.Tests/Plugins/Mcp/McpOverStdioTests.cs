using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Plugins.Mcp;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Mcp;

/// <summary>
/// The official MCP SDK's client driving the reference servers from npm over stdio; the bytes both ways recorded as
/// they were written (through a tee), turned into the <c>stdio</c> events the capture gives, and read by the chain.
/// </summary>
public sealed class McpOverStdioTests
{
    private const int ClientPid = 5100;
    private const int EverythingPid = 5200;
    private const int FilesystemPid = 5300;

    private static readonly JsonArray EverythingCalls =
    [
        new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = "hello from the test" } },
        new JsonObject { ["name"] = "get-sum", ["arguments"] = new JsonObject { ["a"] = 2, ["b"] = 3 } },
        new JsonObject { ["name"] = "no-such-tool", ["arguments"] = new JsonObject() },
    ];

    internal static AnalyzerChain Chain(McpAnalyzerConfig? config = null) => new AnalyzerChain()
        .Add("http", ctx => new HttpAnalyzerFactory().Create(new HttpAnalyzerConfig(), ctx))
        .Add("mcp", ctx => new McpAnalyzerFactory().Create(config ?? new McpAnalyzerConfig(), ctx));

    [Fact]
    public async Task Each_request_of_a_real_client_to_server_everything_is_one_mcp_event_with_its_answer()
    {
        using var temp = TempFolder.ForCaller();
        var (client, reads) = await McpPackages.RunStdioAsync(temp, (JsonArray)EverythingCalls.DeepClone(), McpPackages.EverythingServer, "stdio");
        var wire = new StdioWire(ClientPid, EverythingPid, ToServer: 9001, ToClient: 9002);

        var chain = Chain().Run(wire.Events(reads));

        var events = chain.OfSource("mcp");
        var because = string.Join('\n', events.Select(e => e.Fields!.ToJsonString()));
        var calls = events.Where(e => (string?)e.Fields!["kind"] == "request").Select(e => e.Fields!).ToList();
        Assert.Equal(["initialize", "tools/list", "tools/call", "tools/call", "tools/call", "prompts/get"], calls.Select(c => (string?)c["mcp.method.name"]));
        Assert.Equal(["0", "1", "2", "3", "4", "5"], calls.Select(c => (string?)c["jsonrpc.request.id"]));
        Assert.All(calls, c =>
        {
            Assert.True((bool)c["complete"]!, because);
            Assert.Equal("stdio", (string?)c["transport"]);
            Assert.Equal(ClientPid, (int?)c["client_pid"]);
            Assert.Equal(EverythingPid, (int?)c["server_pid"]);
            Assert.Equal(9001UL, (ulong?)c["stream_id"]);
            Assert.Equal("mcp-servers/everything", (string?)c["server"]!["name"]);
            Assert.Equal((string?)client["server"]!["version"], (string?)c["server"]!["version"]);
            Assert.Equal("agentsight-test-client", (string?)c["client"]!["name"]);
            Assert.True((double)c["duration_ms"]! >= 0, because);
        });
        Assert.All(events, e => Assert.Equal(ClientPid, e.Pid));

        var listed = calls[1]["result"]!["tools"]!.AsArray().Select(t => (string?)t!["name"]).ToList();
        Assert.Equal(client["tools"]!.AsArray().Select(t => (string?)t), listed);

        var (echo, sum, missing) = (calls[2], calls[3], calls[4]);
        Assert.Equal("echo", (string?)echo["gen_ai.tool.name"]);
        Assert.Equal("execute_tool", (string?)echo["gen_ai.operation.name"]);
        Assert.Equal("hello from the test", (string?)echo["arguments"]!["message"]);
        Assert.Equal(client["calls"]![0]!["result"]!.ToJsonString(), echo["result"]!.ToJsonString());
        Assert.False((bool)echo["is_error"]!);
        Assert.Equal("get-sum", (string?)sum["gen_ai.tool.name"]);
        Assert.Equal(3, (int?)sum["arguments"]!["b"]);
        Assert.Contains("5", (string?)sum["result"]!["content"]![0]!["text"], StringComparison.Ordinal);
        Assert.Equal("no-such-tool", (string?)missing["gen_ai.tool.name"]);
        Assert.True((bool)missing["is_error"]!);
        Assert.Equal("tool_error", (string?)missing["error.type"]);

        var prompt = calls[5];
        Assert.True((bool)prompt["is_error"]!);
        Assert.Equal((int)client["prompt"]!["error"]!["code"]!, (int)prompt["error"]!["code"]!);
        Assert.Equal(((int)client["prompt"]!["error"]!["code"]!).ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)prompt["error.type"]);
        Assert.Equal("no-such-prompt", (string?)prompt["gen_ai.prompt.name"]);

        var notifications = events.Where(e => (string?)e.Fields!["kind"] == "notification").Select(e => e.Fields!).ToList();
        Assert.Contains(notifications, n => (string?)n["mcp.method.name"] == "notifications/initialized" && (string?)n["direction"] == "client_to_server");
        Assert.All(notifications.Where(n => (string?)n["mcp.method.name"] != "notifications/initialized"),
            n => Assert.Equal("server_to_client", (string?)n["direction"]));

        var counters = chain.Context("mcp");
        Assert.Equal(0, counters.CounterValue("responses_unpaired"));
        Assert.Equal(0, counters.CounterValue("messages_unreadable"));
        Assert.Equal(reads.Count, counters.CounterValue("duplicates_ignored"));
        Assert.Equal(2, counters.CounterValue("calls_failed"));
        // Every stdio event goes on: the analyzer only reads them.
        Assert.Equal(reads.Count * 2, chain.OfSource("stdio").Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Messages_split_over_writes_or_sharing_one_give_the_same_events(int seed)
    {
        using var temp = TempFolder.ForCaller();
        var (_, reads) = await McpPackages.RunStdioAsync(temp, (JsonArray)EverythingCalls.DeepClone(), McpPackages.EverythingServer, "stdio");
        var wire = new StdioWire(ClientPid, EverythingPid, ToServer: 9001, ToClient: 9002);
        var resplit = StdioWire.Resplit(reads, seed);
        Assert.NotEqual(reads.Count, resplit.Count);

        var asRecorded = Chain().Run(wire.Events(reads, withReads: false)).OfSource("mcp").Select(Shape).ToList();
        var asResplit = Chain().Run(wire.Events(resplit, withReads: false)).OfSource("mcp").Select(Shape).ToList();

        Assert.Equal(asRecorded, asResplit);
    }

    [Fact]
    public async Task Two_servers_of_one_client_both_counting_ids_from_zero_are_never_mixed_up()
    {
        using var temp = TempFolder.ForCaller();
        var root = Directory.CreateDirectory(temp.Combine("shared")).FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "notes.txt"), "the filesystem server read this");
        var fsCalls = new JsonArray(
            new JsonObject { ["name"] = "read_text_file", ["arguments"] = new JsonObject { ["path"] = Path.Combine(root, "notes.txt") } },
            new JsonObject { ["name"] = "read_text_file", ["arguments"] = new JsonObject { ["path"] = "/etc/hostname" } });
        var (_, everything) = await McpPackages.RunStdioAsync(temp, (JsonArray)EverythingCalls.DeepClone(), McpPackages.EverythingServer, "stdio");
        var (fsClient, filesystem) = await McpPackages.RunStdioAsync(temp, fsCalls, McpPackages.FilesystemServer, root);
        // One agent with both servers at once: their traffic interleaved in time, ids 0, 1, 2… from each.
        var events = new StdioWire(ClientPid, EverythingPid, 9001, 9002).Events(everything)
            .Concat(new StdioWire(ClientPid, FilesystemPid, 9101, 9102).Events(filesystem, epoch: Some.Epoch + 500_000))
            .OrderBy(e => e.Timestamp).ToList();

        var chain = Chain().Run(events);

        var calls = chain.OfSource("mcp").Select(e => e.Fields!).Where(c => (string?)c["kind"] == "request").ToList();
        var byServer = calls.ToLookup(c => (int?)c["server_pid"]);
        Assert.Equal(6, byServer[EverythingPid].Count());
        Assert.Equal(5, byServer[FilesystemPid].Count());
        Assert.All(calls, c => Assert.True((bool)c["complete"]!));
        Assert.All(byServer[EverythingPid], c => Assert.Equal("mcp-servers/everything", (string?)c["server"]!["name"]));
        Assert.All(byServer[FilesystemPid], c => Assert.Equal((string?)fsClient["server"]!["name"], (string?)c["server"]!["name"]));
        var fsTools = byServer[FilesystemPid].Where(c => (string?)c["mcp.method.name"] == "tools/call").ToList();
        Assert.Equal(["2", "3"], fsTools.Select(c => (string?)c["jsonrpc.request.id"]));
        Assert.Contains("the filesystem server read this", fsTools[0]["result"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.False((bool)fsTools[0]["is_error"]!);
        Assert.True((bool)fsTools[1]["is_error"]!, fsTools[1].ToJsonString());
        var echo = byServer[EverythingPid].Single(c => (string?)c["gen_ai.tool.name"] == "echo");
        Assert.Equal("2", (string?)echo["jsonrpc.request.id"]);
        Assert.Contains("Echo: hello from the test", echo["result"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, chain.Context("mcp").CounterValue("responses_unpaired"));
    }

    [Fact]
    public async Task A_request_the_server_never_answered_is_emitted_at_the_end_as_incomplete()
    {
        using var temp = TempFolder.ForCaller();
        var (_, reads) = await McpPackages.RunStdioAsync(temp, (JsonArray)EverythingCalls.DeepClone(), McpPackages.EverythingServer, "stdio");
        // The capture ends while the echo call is in flight: nothing the server wrote after it is seen.
        var echoAt = reads.FindIndex(r => r.FromClient && System.Text.Encoding.UTF8.GetString(r.Bytes).Contains("\"echo\"", StringComparison.Ordinal));
        var cut = reads.Take(echoAt + 1).ToList();

        var chain = Chain().Run(new StdioWire(ClientPid, EverythingPid, 9001, 9002).Events(cut));

        var echo = chain.OfSource("mcp").Select(e => e.Fields!).Single(c => (string?)c["gen_ai.tool.name"] == "echo");
        Assert.False((bool)echo["complete"]!);
        Assert.Null(echo["end_ns"]);
        Assert.Null(echo["result"]);
        Assert.Equal("hello from the test", (string?)echo["arguments"]!["message"]);
        Assert.Equal(1, chain.Context("mcp").CounterValue("calls_unanswered"));
    }

    /// <summary>What must not depend on how the bytes were written: the call and its content, not its times.</summary>
    private static string Shape(AgentEvent evt)
    {
        var fields = (JsonObject)evt.Fields!.DeepClone();
        foreach (var time in new[] { "start_ns", "end_ns", "duration_ms" })
        {
            fields.Remove(time);
        }
        return fields.ToJsonString();
    }
}
