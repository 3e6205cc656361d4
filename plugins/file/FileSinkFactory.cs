using System.Runtime.CompilerServices;
using AgentSight.Contracts;

namespace AgentSight.Plugins.File;

/// <summary>The <c>file</c> sink plugin: events appended to an NDJSON file, rotated by size.</summary>
public sealed class FileSinkFactory : SinkFactory<FileSinkConfig>, IOutputPreflight
{
    /// <summary>
    /// The stages this factory has made an instance for. The host restarts a failed sink by asking for a fresh
    /// instance with the same context: that one must go on with the run's file, not empty it (<c>append: false</c>).
    /// </summary>
    private readonly ConditionalWeakTable<IStageContext, object> _started = [];

    /// <inheritdoc />
    public override string Description => "Writes events to an NDJSON file, optionally rotated by size.";

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Roles { get; } = [StageRoles.EventFile];

    /// <inheritdoc />
    public OutputCheck? CheckOutput(PluginConfig config)
    {
        var file = (FileSinkConfig)config;
        var path = System.IO.Path.GetFullPath(file.Path);
        var exists = System.IO.File.Exists(path) && new FileInfo(path).Length > 0;
        return file.Append
            ? new OutputCheck(path, exists, ExistingOutput.Append, "append=false")
            : new OutputCheck(path, exists, ExistingOutput.Replace);
    }

    /// <inheritdoc />
    protected override ISink Create(FileSinkConfig config, IStageContext context)
    {
        var restarted = !_started.TryAdd(context, config);
        return new FileSink(config, context, TimeProvider.System, restarted);
    }
}
