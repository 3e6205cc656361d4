namespace AgentSight.Contracts;

/// <summary>A factory of sinks; derive from <see cref="SinkFactory{TConfig}"/>.</summary>
public interface ISinkFactory : IPluginFactory
{
    /// <summary>Creates a sink from a validated configuration of type <see cref="IPluginFactory.ConfigType"/>.</summary>
    ISink Create(PluginConfig config, IStageContext context);
}
