using AgentSight.Contracts;

namespace AgentSight.Plugins.Otlp;

/// <summary>The <c>otlp</c> sink plugin: the session to an OpenTelemetry backend (docs/OTLP.md).</summary>
public sealed class OtlpSinkFactory : SinkFactory<OtlpSinkConfig>
{
    /// <inheritdoc />
    public override string Description => "Exports spans, GenAI metrics, the pipeline's loss counters and (optionally) events as logs over OTLP (gRPC or HTTP/protobuf).";

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Roles { get; } = [StageRoles.OtlpExport];

    /// <inheritdoc />
    protected override ISink Create(OtlpSinkConfig config, IStageContext context) => new OtlpSink(config, context);
}
