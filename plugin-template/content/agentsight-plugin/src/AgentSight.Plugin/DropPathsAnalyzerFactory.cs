using AgentSight.Contracts;

namespace AgentSight.Plugin;

/// <summary>The plugin's entry point: the host finds this class, binds the configuration and creates analyzers.</summary>
public sealed class DropPathsAnalyzerFactory : AnalyzerFactory<DropPathsConfig>
{
    /// <inheritdoc />
    public override string Description => "Drops HTTP exchanges whose request goes to one of the configured paths";

    /// <inheritdoc />
    protected override IAnalyzer Create(DropPathsConfig config, IStageContext context) => new DropPathsAnalyzer(config, context);
}
