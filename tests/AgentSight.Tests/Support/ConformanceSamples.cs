using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.Cost;
using AgentSight.Plugins.Http;
using AgentSight.Plugins.Llm;
using AgentSight.Plugins.Mcp;
using AgentSight.Plugins.Redact;
using AgentSight.Plugins.Sse;
using AgentSight.Plugins.Trace;
using AgentSight.Tests.Analyzers.Support;

namespace AgentSight.Tests.Support;

/// <summary>
/// Sample events for the conformance tests of the built-in plugins: the bundled recordings (an LLM session's raw TLS
/// and an MCP session's stdio and processes), run through the default manifest's analyzers up to the stage under test,
/// so each stage gets the kinds of events it reads in the default pipeline.
/// </summary>
public static class ConformanceSamples
{
    /// <summary>The analyzers of plugins/manifest.json that change or add events, in order (the filters have no patterns there).</summary>
    private static readonly (string Stage, Func<IStageContext, IAnalyzer> Create)[] DefaultChain =
    [
        ("http", ctx => new HttpAnalyzerFactory().Create(new HttpAnalyzerConfig(), ctx)),
        ("mcp", ctx => new McpAnalyzerFactory().Create(new McpAnalyzerConfig(), ctx)),
        ("sse", ctx => new SseAnalyzerFactory().Create(new SseAnalyzerConfig(), ctx)),
        ("llm", ctx => new LlmAnalyzerFactory().Create(new LlmAnalyzerConfig(), ctx)),
        ("cost", ctx => new CostAnalyzerFactory().Create(new CostAnalyzerConfig(), ctx)),
        ("trace", ctx => new TraceAnalyzerFactory().Create(new TraceAnalyzerConfig(), ctx)),
        ("redact", ctx => new RedactFactory().Create(new RedactConfig(), ctx)),
    ];

    /// <summary>The raw events of both recordings, in time order.</summary>
    public static List<AgentEvent> Raw() =>
    [
        .. ConformanceEvents.Load(Artifacts.Sample("llm-session.jsonl"))
            .Concat(ConformanceEvents.Load(Artifacts.Sample("mcp-session.jsonl")))
            .OrderBy(e => e.Timestamp),
    ];

    /// <summary>
    /// What reaches <paramref name="stage"/> in the default pipeline from the first <paramref name="rawCount"/> raw
    /// events (a stage not in the chain, such as a sink: what reaches the end).
    /// </summary>
    public static List<AgentEvent> Reaching(string stage, int rawCount = int.MaxValue)
    {
        var chain = new AnalyzerChain();
        foreach (var (name, create) in DefaultChain.TakeWhile(s => s.Stage != stage))
        {
            chain.Add(name, create);
        }
        return chain.Run(Raw().Take(rawCount)).Output;
    }
}
