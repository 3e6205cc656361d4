using AgentSight.Contracts;
using AgentSight.Contracts.Testing;

namespace AgentSight.Plugin.Tests;

/// <summary>
/// The rules every analyzer keeps (AgentSight.Contracts.Testing): lifecycle, flush, bypass, errors, no shared state.
/// Each test it inherits runs this analyzer as the host would; the overrides say what is particular to it.
/// </summary>
public sealed class DropPathsConformance : AnalyzerConformance<DropPathsAnalyzerFactory>
{
    /// <summary>Events of the kinds it reads: the recording beside the project.</summary>
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceEvents.Load("sample.jsonl");

    /// <summary>Wrong values, each with the key its error must name.</summary>
    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new DropPathsConfig { Paths = ["health"] }, "paths"),
        (new DropPathsConfig { Paths = [] }, "paths"),
    ];
}
