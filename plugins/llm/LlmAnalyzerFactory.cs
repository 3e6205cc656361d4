using AgentSight.Contracts;

namespace AgentSight.Plugins.Llm;

/// <summary>The <c>llm</c> analyzer plugin: one OpenTelemetry GenAI event per call to a model.</summary>
public sealed class LlmAnalyzerFactory : AnalyzerFactory<LlmAnalyzerConfig>
{
    /// <inheritdoc />
    public override string Description =>
        "Emits one llm event per model call (Anthropic, OpenAI Chat and Responses, Gemini, OpenAI-compatible, Ollama) with OpenTelemetry GenAI fields.";

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Roles { get; } = [StageRoles.DerivesFromTls];

    /// <inheritdoc />
    protected override IAnalyzer Create(LlmAnalyzerConfig config, IStageContext context) => new LlmAnalyzer(config, context);
}
