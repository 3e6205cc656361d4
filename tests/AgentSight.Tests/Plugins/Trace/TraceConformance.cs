using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.Trace;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

public sealed class TraceConformance : AnalyzerConformance<TraceAnalyzerFactory>
{
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Reaching("trace");

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new TraceAnalyzerConfig { MaxRuns = 0 }, "max_runs"),
        (new TraceAnalyzerConfig { MaxAttributeChars = 1 }, "max_attribute_chars"),
        (new TraceAnalyzerConfig { IgnoreReadPrefixes = [""] }, "ignore_read_prefixes[0]"),
    ];

    /// <summary>The agent runs of the sample are still open when it ends: their spans come out at the flush.</summary>
    protected override IEnumerable<AgentEvent> Unfinished() => ConformanceSamples.Reaching("trace");
}
