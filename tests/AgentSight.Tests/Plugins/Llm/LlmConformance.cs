using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.Llm;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

public sealed class LlmConformance : AnalyzerConformance<LlmAnalyzerFactory>
{
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Reaching("llm");

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new LlmAnalyzerConfig { MaxHeld = 0 }, "max_held"),
        (new LlmAnalyzerConfig { HoldTimeoutMs = 0 }, "hold_timeout_ms"),
    ];
}
