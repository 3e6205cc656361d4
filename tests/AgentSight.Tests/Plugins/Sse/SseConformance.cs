using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.Sse;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

public sealed class SseConformance : AnalyzerConformance<SseAnalyzerFactory>
{
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Reaching("sse");

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new SseAnalyzerConfig { MaxStreams = 0 }, "max_streams"),
        (new SseAnalyzerConfig { MaxStreamBytes = 10 }, "max_stream_bytes"),
    ];

    /// <summary>The first streamed answer cut before its end: a stream left open at the flush.</summary>
    protected override IEnumerable<AgentEvent> Unfinished()
    {
        var events = ConformanceSamples.Reaching("sse");
        var firstPiece = events.FindIndex(e => e.Source == EventSources.HttpBody);
        return events.Take(firstPiece + 2);
    }
}
