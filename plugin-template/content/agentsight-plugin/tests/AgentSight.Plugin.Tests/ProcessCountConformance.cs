using System.Text.Json;
using AgentSight.Contracts;
using AgentSight.Contracts.Testing;

namespace AgentSight.Plugin.Tests;

/// <summary>
/// The rules every sink keeps (AgentSight.Contracts.Testing): lifecycle, stop twice, flush, errors, no shared state.
/// Each test it inherits runs this sink as the host would; the overrides say what is particular to it.
/// </summary>
public sealed class ProcessCountConformance : SinkConformance<ProcessCountSinkFactory>
{
    /// <summary>Events to write: the recording beside the project.</summary>
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceEvents.Load("sample.jsonl");

    /// <summary>The sink's output goes into the folder each test gives.</summary>
    protected override PluginConfig ConfigIn(string folder) => new ProcessCountConfig { Path = Path.Combine(folder, "counts.json") };

    /// <summary>How many events the output holds: the sum of the counts, read back as a user would.</summary>
    protected override Task<long?> CountWrittenAsync(string folder)
    {
        var path = Path.Combine(folder, "counts.json");
        long? total = File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, long>>(File.ReadAllText(path))!.Values.Sum() : 0;
        return Task.FromResult(total);
    }

    /// <summary>Wrong values, each with the key its error must name.</summary>
    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new ProcessCountConfig { Path = " " }, "path"),
        (new ProcessCountConfig { LogTop = -1 }, "log_top"),
    ];
}
