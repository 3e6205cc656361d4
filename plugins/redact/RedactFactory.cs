using AgentSight.Contracts;

namespace AgentSight.Plugins.Redact;

/// <summary>The <c>redact</c> analyzer plugin.</summary>
public sealed class RedactFactory : AnalyzerFactory<RedactConfig>
{
    /// <inheritdoc />
    public override string Description => "Replaces credentials and known secrets (headers, URL parameters, JSON keys, API keys, tokens) in every event.";

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Roles { get; } = [StageRoles.Redaction];

    /// <summary>Fails closed: an event the redactor cannot handle is dropped, never passed on as it came.</summary>
    public override OnError DefaultOnError => OnError.Drop;

    /// <inheritdoc />
    protected override IAnalyzer Create(RedactConfig config, IStageContext context) => new Redactor(config, context);
}
