using System.Text.Json.Nodes;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Mcp;

/// <summary>The real host with its default manifest, replaying a recorded MCP session over stdio as a user would.</summary>
public sealed class McpReplayTests
{
    [Fact]
    public async Task Replaying_a_recorded_stdio_session_with_the_default_pipeline_gives_its_mcp_calls_once_and_again_once()
    {
        using var temp = TempFolder.ForCaller();
        var first = temp.Combine("analyzed.jsonl");
        var again = temp.Combine("again.jsonl");

        var (code, _, stderr) = await HostProcess.RunAsync(["replay", Artifacts.Sample("mcp-session.jsonl"), "-q", "-o", first], timeout: TimeSpan.FromSeconds(120));
        Assert.True(code == 0, stderr);
        // A recording that holds mcp events, replayed: the analyzers that made them are left out, nothing is doubled.
        var (code2, _, stderr2) = await HostProcess.RunAsync(["replay", first, "-q", "-o", again], timeout: TimeSpan.FromSeconds(120));
        Assert.True(code2 == 0, stderr2);

        foreach (var file in new[] { first, again })
        {
            var mcp = File.ReadAllLines(file).Select(l => JsonNode.Parse(l)!.AsObject()).Where(e => (string?)e["source"] == "mcp")
                .Select(e => e["data"]!.AsObject()).ToList();
            var requests = mcp.Where(c => (string?)c["kind"] == "request").ToList();
            Assert.Equal(["initialize", "tools/list", "tools/call", "tools/call", "tools/call", "prompts/get"], requests.Select(c => (string?)c["mcp.method.name"]));
            Assert.All(requests, c => Assert.True((bool)c["complete"]!));
            var echo = requests.Single(c => (string?)c["gen_ai.tool.name"] == "echo");
            Assert.Equal("hello from the UI test", (string?)echo["arguments"]!["message"]);
            Assert.Contains("Echo: hello from the UI test", echo["result"]!.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal("mcp-servers/everything", (string?)echo["server"]!["name"]);
        }
        Assert.Contains("mcp", stderr, StringComparison.Ordinal);
    }
}
