using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.Web;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

/// <summary>The web UI's sink with its server on a free port of 127.0.0.1.</summary>
public sealed class WebConformance : SinkConformance<WebSinkFactory>
{
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Reaching("sinks");

    protected override PluginConfig ConfigIn(string folder) => new WebSinkConfig { Port = 0, AnnounceFile = Path.Combine(folder, "web.json") };

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new WebSinkConfig { Port = 70000 }, "port"),
        (new WebSinkConfig { MaxEvents = 1 }, "max_events"),
        (new WebSinkConfig { Host = "example.com" }, "host"),
        (new WebSinkConfig { Report = (WebReportFormat)42 }, "report"),
    ];
}
