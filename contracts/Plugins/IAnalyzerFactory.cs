namespace AgentSight.Contracts;

/// <summary>A factory of analyzers; derive from <see cref="AnalyzerFactory{TConfig}"/>.</summary>
public interface IAnalyzerFactory : IPluginFactory
{
    /// <summary>What happens to an event this analyzer throws on, unless the manifest says otherwise.</summary>
    OnError DefaultOnError { get; }

    /// <summary>Creates an analyzer from a validated configuration of type <see cref="IPluginFactory.ConfigType"/>.</summary>
    IAnalyzer Create(PluginConfig config, IStageContext context);
}
