using AgentSight.Contracts;

namespace AgentSight.Plugins.Trace;

/// <summary>The <c>trace</c> analyzer plugin: each agent run as a causal tree of <c>span</c> events.</summary>
public sealed class TraceAnalyzerFactory : AnalyzerFactory<TraceAnalyzerConfig>
{
    /// <inheritdoc />
    public override string Description =>
        "Writes each agent run as span events (OpenTelemetry GenAI): run, conversation, chat, execute_tool, and the processes, files and MCP calls of each tool.";

    /// <inheritdoc />
    protected override IAnalyzer Create(TraceAnalyzerConfig config, IStageContext context) => new TraceAnalyzer(config, context);
}
