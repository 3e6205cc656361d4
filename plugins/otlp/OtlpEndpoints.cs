using OpenTelemetry.Exporter;

namespace AgentSight.Plugins.Otlp;

/// <summary>The SDK's exporter options for one signal, from the sink's configuration.</summary>
internal static class OtlpEndpoints
{
    public static OtlpExporterOptions For(OtlpSinkConfig config, string signal)
    {
        var grpc = config.EffectiveProtocol == "grpc";
        var endpoint = new Uri(config.Endpoint);
        if (!grpc)
        {
            // Given in code, the endpoint of http/protobuf is used as it is: the signal's path goes on the base URL.
            endpoint = new Uri(config.Endpoint.TrimEnd('/') + "/v1/" + signal);
        }
        return new OtlpExporterOptions
        {
            Endpoint = endpoint,
            Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf,
            TimeoutMilliseconds = config.TimeoutMs,
            Headers = (config.Headers ?? []).Count == 0 ? null : string.Join(',', config.Headers!.Select(h => $"{h.Key}={h.Value}")),
        };
    }
}
