namespace AgentSight.Contracts;

/// <summary>Base class for analyzer plugins' factories.</summary>
/// <typeparam name="TConfig">The configuration class.</typeparam>
public abstract class AnalyzerFactory<TConfig> : IAnalyzerFactory
    where TConfig : PluginConfig, new()
{
    /// <inheritdoc />
    public PluginKind Kind => PluginKind.Analyzer;

    /// <inheritdoc />
    public abstract string Description { get; }

    /// <inheritdoc />
    public Type ConfigType => typeof(TConfig);

    /// <inheritdoc />
    public virtual OnError DefaultOnError => OnError.Pass;

    /// <inheritdoc />
    public PluginConfig CreateDefaultConfig() => new TConfig();

    /// <inheritdoc />
    public virtual IReadOnlyCollection<string> Roles => [];

    /// <inheritdoc />
    public IAnalyzer Create(PluginConfig config, IStageContext context) => Create((TConfig)config, context);

    /// <summary>Creates an analyzer from a validated configuration.</summary>
    protected abstract IAnalyzer Create(TConfig config, IStageContext context);
}
