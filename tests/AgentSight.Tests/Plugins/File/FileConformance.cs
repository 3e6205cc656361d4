using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.File;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

public sealed class FileConformance : SinkConformance<FileSinkFactory>
{
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Reaching("sinks");

    protected override PluginConfig ConfigIn(string folder) => new FileSinkConfig { Path = Path.Combine(folder, "events.jsonl") };

    /// <summary>The lines of the file: one per event.</summary>
    protected override Task<long?> CountWrittenAsync(string folder)
    {
        var path = Path.Combine(folder, "events.jsonl");
        return Task.FromResult<long?>(File.Exists(path) ? File.ReadLines(path).Count() : 0);
    }

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new FileSinkConfig { Path = "" }, "path"),
        (new FileSinkConfig { MaxFiles = 0 }, "max_files"),
        (new FileSinkConfig { MaxSizeMb = -1 }, "max_size_mb"),
        (new FileSinkConfig { FlushIntervalMs = 0 }, "flush_interval_ms"),
    ];
}
