using AgentSight.Contracts;
using AgentSight.Contracts.Testing;
using AgentSight.Plugins.Otlp;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Conformance;

/// <summary>
/// The OTLP sink against a backend that is not there (a closed port of 127.0.0.1): its contract is that an unreachable
/// backend costs counted spans, never the capture, so every rule still holds.
/// </summary>
public sealed class OtlpConformance : SinkConformance<OtlpSinkFactory>
{
    protected override IEnumerable<AgentEvent> SampleEvents() => ConformanceSamples.Reaching("sinks");

    protected override PluginConfig ConfigIn(string folder) => new OtlpSinkConfig
    {
        Endpoint = "http://127.0.0.1:9",
        Protocol = "http/protobuf",
        TimeoutMs = 200,
        MaxRetries = 0,
        DrainTimeoutMs = 200,
        Logs = true,
    };

    protected override IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() =>
    [
        (new OtlpSinkConfig { Endpoint = "ftp://collector" }, "endpoint"),
        (new OtlpSinkConfig { QueueSize = 0 }, "queue_size"),
        (new OtlpSinkConfig { Protocol = "carrier-pigeon" }, "protocol"),
        (new OtlpSinkConfig { Traces = false, Metrics = false, Logs = false }, "traces"),
    ];
}
