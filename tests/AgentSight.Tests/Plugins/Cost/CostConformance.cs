using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.Cost;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

public sealed class CostConformance : AnalyzerConformance<CostAnalyzerFactory>
{
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Reaching("cost");

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new CostAnalyzerConfig { Prices = [new ModelPriceConfig { Pattern = "", Input = 1, Output = 2 }] }, "prices[0].pattern"),
        (new CostAnalyzerConfig { Prices = [new ModelPriceConfig { Pattern = "m*", Input = -1, Output = 2 }] }, "prices[0].input"),
    ];
}
