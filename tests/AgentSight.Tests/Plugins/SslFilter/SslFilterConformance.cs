using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.SslFilter;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

public sealed class SslFilterConformance : AnalyzerConformance<SslFilterFactory>
{
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Raw();

    /// <summary>Drops the short reads and writes, and what the original's <c>record</c> command left out.</summary>
    protected override PluginConfig Config() => new SslFilterConfig { Patterns = ["len<10"], Presets = ["record"] };

    protected override PluginConfig? PassesEverythingConfig() => new SslFilterConfig();

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new SslFilterConfig { Patterns = ["len<"] }, "patterns[0]"),
        (new SslFilterConfig { Presets = ["no-such-preset"] }, "presets[0]"),
    ];
}
