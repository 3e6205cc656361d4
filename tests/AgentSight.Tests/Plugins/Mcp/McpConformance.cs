using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.Mcp;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

public sealed class McpConformance : AnalyzerConformance<McpAnalyzerFactory>
{
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Reaching("mcp");

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new McpAnalyzerConfig { MaxPending = 0 }, "max_pending"),
        (new McpAnalyzerConfig { MaxMessageBytes = 10 }, "max_message_bytes"),
    ];

    /// <summary>The MCP session's stdio cut after its first request: a call without its answer at the flush.</summary>
    protected override IEnumerable<AgentEvent> Unfinished()
    {
        var stdio = ConformanceSamples.Reaching("mcp").Where(e => e.Source == EventSources.Stdio).ToList();
        return stdio.Take(stdio.Count / 2);
    }
}
