using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.HttpFilter;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

public sealed class HttpFilterConformance : AnalyzerConformance<HttpFilterFactory>
{
    /// <summary>What reaches it in the default manifest: everything the analyzers before redact made.</summary>
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Reaching("redact");

    /// <summary>Drops the first kind of request of the sample (with its stream and LLM events) and keeps the rest.</summary>
    protected override PluginConfig Config() => new HttpFilterConfig { Patterns = ["request.method=GET"] };

    protected override PluginConfig? PassesEverythingConfig() => new HttpFilterConfig();

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new HttpFilterConfig { Patterns = ["request.method=HEAD ||"] }, "patterns[0]"),
        (new HttpFilterConfig { Presets = ["no-such-preset"] }, "presets[0]"),
        (new HttpFilterConfig { RelatedCapacity = 0 }, "related_capacity"),
    ];
}
