using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.Console;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

/// <summary>The console sink writes to the test process's own stdout, which cannot be read back here: a few events only.</summary>
public sealed class ConsoleConformance : SinkConformance<ConsoleSinkFactory>
{
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Reaching("sinks").Where(e => e.Source != EventSources.Ssl).Take(3);

    protected override PluginConfig ConfigIn(string folder) => new ConsoleSinkConfig { Format = ConsoleFormat.Pretty, MaxPreview = 40 };

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new ConsoleSinkConfig { MaxPreview = 1 }, "max_preview"),
        (new ConsoleSinkConfig { Format = (ConsoleFormat)42 }, "format"),
        (new ConsoleSinkConfig { Stream = (ConsoleOutputStream)42 }, "stream"),
    ];
}
