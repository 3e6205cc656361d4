namespace AgentSight.Contracts;

/// <summary>Base class for sink plugins' factories.</summary>
/// <typeparam name="TConfig">The configuration class.</typeparam>
public abstract class SinkFactory<TConfig> : ISinkFactory
    where TConfig : PluginConfig, new()
{
    /// <inheritdoc />
    public PluginKind Kind => PluginKind.Sink;

    /// <inheritdoc />
    public abstract string Description { get; }

    /// <inheritdoc />
    public Type ConfigType => typeof(TConfig);

    /// <inheritdoc />
    public PluginConfig CreateDefaultConfig() => new TConfig();

    /// <inheritdoc />
    public virtual IReadOnlyCollection<string> Roles => [];

    /// <inheritdoc />
    public ISink Create(PluginConfig config, IStageContext context) => Create((TConfig)config, context);

    /// <summary>Creates a sink from a validated configuration.</summary>
    protected abstract ISink Create(TConfig config, IStageContext context);
}
