using AgentSight.Contracts;

namespace AgentSight.Plugin;

/// <summary>The plugin's entry point: the host finds this class, binds the configuration and creates sinks.</summary>
public sealed class ProcessCountSinkFactory : SinkFactory<ProcessCountConfig>
{
    /// <inheritdoc />
    public override string Description => "Counts events per process and writes the counts as JSON when the run ends";

    /// <inheritdoc />
    protected override ISink Create(ProcessCountConfig config, IStageContext context) => new ProcessCountSink(config, context);
}
