using AgentSight.Contracts;

namespace AgentSight.Plugins.HttpFilter;

/// <summary>The <c>http-filter</c> analyzer plugin.</summary>
public sealed class HttpFilterFactory : AnalyzerFactory<HttpFilterConfig>
{
    /// <inheritdoc />
    public override string Description => "Drops HTTP exchanges matching filter expressions (the original's --http-filter syntax), with their stream and LLM events.";

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Roles { get; } = [StageRoles.HttpFilter];

    /// <inheritdoc />
    protected override IAnalyzer Create(HttpFilterConfig config, IStageContext context) => new HttpFilter(config, context);
}
