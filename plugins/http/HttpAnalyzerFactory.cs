using AgentSight.Contracts;

namespace AgentSight.Plugins.Http;

/// <summary>The <c>http</c> analyzer plugin: raw TLS reads and writes become HTTP/1.x and HTTP/2 exchanges.</summary>
public sealed class HttpAnalyzerFactory : AnalyzerFactory<HttpAnalyzerConfig>
{
    /// <inheritdoc />
    public override string Description => "Rebuilds HTTP/1.x and HTTP/2 exchanges (http) and streamed body pieces (http_body) from ssl reads and writes.";

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Roles { get; } = [StageRoles.DerivesFromTls];

    /// <inheritdoc />
    protected override IAnalyzer Create(HttpAnalyzerConfig config, IStageContext context) => new HttpAnalyzer(config, context);
}
