using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.Redact;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

public sealed class RedactConformance : AnalyzerConformance<RedactFactory>
{
    /// <summary>Everything the default chain made before it: the recordings carry fake API keys in headers and a URL.</summary>
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Reaching("redact");

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new RedactConfig { HoldMs = -1 }, "hold_ms"),
        (new RedactConfig { DisabledRules = ["no-such-rule"] }, "disabled_rules[0]"),
        (new RedactConfig { MaxStreams = 0 }, "max_streams"),
    ];
}
