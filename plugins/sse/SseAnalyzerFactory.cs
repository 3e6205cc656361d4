using AgentSight.Contracts;

namespace AgentSight.Plugins.Sse;

/// <summary>The <c>sse</c> analyzer plugin: streamed response bodies become one <c>sse</c> event per stream.</summary>
public sealed class SseAnalyzerFactory : AnalyzerFactory<SseAnalyzerConfig>
{
    /// <inheritdoc />
    public override string Description =>
        "Rebuilds Server-Sent-Event (and NDJSON) streams from http_body pieces, with Anthropic, OpenAI and Gemini streams accumulated (sse).";

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Roles { get; } = [StageRoles.DerivesFromTls];

    /// <inheritdoc />
    protected override IAnalyzer Create(SseAnalyzerConfig config, IStageContext context) => new SseAnalyzer(config, context);
}
