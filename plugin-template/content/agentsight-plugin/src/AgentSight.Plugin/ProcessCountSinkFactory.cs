using AgentSight.Contracts;

namespace AgentSight.Plugin;

/// <summary>The plugin's entry point: the host finds this class, binds the configuration and creates sinks.</summary>
/// <remarks>
/// A factory may also declare the roles its plugin fills (<c>Roles</c>, e.g. <c>[StageRoles.EventFile]</c> for a sink
/// that writes every event to a file at its <c>path</c>), so that the commands' flags reach it whatever its name.
/// This sink declares none: it is not what any flag looks for.
/// </remarks>
public sealed class ProcessCountSinkFactory : SinkFactory<ProcessCountConfig>, IOutputPreflight
{
    /// <inheritdoc />
    public override string Description => "Counts events per process and writes the counts as JSON when the run ends";

    /// <summary>
    /// Asked before any sink of the run starts: this sink replaces its file at the end of the run, so an existing file
    /// is replaced (the host then checks that the run's other outputs do the same, or starts nothing).
    /// </summary>
    public OutputCheck? CheckOutput(PluginConfig config)
    {
        var path = Path.GetFullPath(((ProcessCountConfig)config).Path);
        return new OutputCheck(path, File.Exists(path) && new FileInfo(path).Length > 0, ExistingOutput.Replace);
    }

    /// <inheritdoc />
    protected override ISink Create(ProcessCountConfig config, IStageContext context) => new ProcessCountSink(config, context);
}
