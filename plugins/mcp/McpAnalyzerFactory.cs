using AgentSight.Contracts;

namespace AgentSight.Plugins.Mcp;

/// <summary>The <c>mcp</c> analyzer plugin: JSON-RPC messages of MCP clients and servers become one <c>mcp</c> event per call.</summary>
public sealed class McpAnalyzerFactory : AnalyzerFactory<McpAnalyzerConfig>
{
    /// <inheritdoc />
    public override string Description =>
        "Pairs MCP JSON-RPC requests with their responses, from stdio streams and streamable HTTP exchanges (mcp).";

    /// <summary>Its events are derived from captured traffic: a replay of a recording that holds them leaves it out.</summary>
    public override IReadOnlyCollection<string> Roles { get; } = [StageRoles.DerivesFromTls];

    /// <inheritdoc />
    protected override IAnalyzer Create(McpAnalyzerConfig config, IStageContext context) => new McpAnalyzer(config, context);
}
