using AgentSight.Contracts;

namespace AgentSight.Plugins.SslFilter;

/// <summary>The <c>ssl-filter</c> analyzer plugin.</summary>
public sealed class SslFilterFactory : AnalyzerFactory<SslFilterConfig>
{
    /// <inheritdoc />
    public override string Description => "Drops raw TLS events matching filter expressions (the original's --ssl-filter syntax).";

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Roles { get; } = [StageRoles.TlsFilter];

    /// <inheritdoc />
    protected override IAnalyzer Create(SslFilterConfig config, IStageContext context) => new SslFilter(config, context);
}
