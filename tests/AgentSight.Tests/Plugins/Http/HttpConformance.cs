using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.Http;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

public sealed class HttpConformance : AnalyzerConformance<HttpAnalyzerFactory>
{
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Raw();

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new HttpAnalyzerConfig { MaxConnections = 0 }, "max_connections"),
        (new HttpAnalyzerConfig { Role = (HttpRole)42 }, "role"),
        (new HttpAnalyzerConfig { StreamedContentTypes = ["not a media type"] }, "streamed_content_types"),
    ];

    /// <summary>A request sent whose response never came: an incomplete exchange at the flush.</summary>
    protected override IEnumerable<AgentEvent> Unfinished() =>
        [Some.SslEvent("POST /v1/messages HTTP/1.1\r\nHost: api.anthropic.com\r\nContent-Length: 2\r\n\r\n{}", TlsDirection.Write)];
}
