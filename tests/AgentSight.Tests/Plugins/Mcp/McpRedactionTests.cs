using System.Text.Json.Nodes;
using AgentSight.Plugins.Http;
using AgentSight.Plugins.Mcp;
using AgentSight.Plugins.Redact;
using AgentSight.Tests.Analyzers.Redact;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Mcp;

/// <summary>Credentials an agent passes to an MCP tool, or a tool returns, never reach a sink: redact runs after mcp.</summary>
public sealed class McpRedactionTests
{
    [Fact]
    public async Task A_key_in_tool_arguments_and_in_the_tool_result_is_redacted_in_what_the_sinks_get()
    {
        using var temp = TempFolder.ForCaller();
        var calls = new JsonArray(new JsonObject
        {
            ["name"] = "echo",
            ["arguments"] = new JsonObject { ["message"] = $"use {Secrets.Anthropic} and {Secrets.GitHub}" },
        });
        var (client, reads) = await McpPackages.RunStdioAsync(temp, calls, McpPackages.EverythingServer, "stdio");
        Assert.Contains(Secrets.Anthropic, client["calls"]![0]!["result"]!.ToJsonString(), StringComparison.Ordinal);

        var chain = new AnalyzerChain()
            .Add("http", ctx => new HttpAnalyzerFactory().Create(new HttpAnalyzerConfig(), ctx))
            .Add("mcp", ctx => new McpAnalyzerFactory().Create(new McpAnalyzerConfig(), ctx))
            .Add("redact", ctx => new RedactFactory().Create(new RedactConfig(), ctx))
            .Run(new StdioWire(5100, 5200, 9001, 9002).Events(reads));

        var echo = chain.OfSource("mcp").Select(e => e.Fields!).Single(c => (string?)c["gen_ai.tool.name"] == "echo");
        Assert.Contains("[REDACTED", (string?)echo["arguments"]!["message"], StringComparison.Ordinal);
        Assert.Contains("[REDACTED", echo["result"]!.ToJsonString(), StringComparison.Ordinal);
        var output = RedactHarness.Ndjson(chain.Output);
        foreach (var secret in new[] { Secrets.Anthropic, Secrets.GitHub })
        {
            RedactHarness.AssertNoPartOf(secret, output, Secrets.PrefixOf(secret), window: 10);
        }
    }
}
