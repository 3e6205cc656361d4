using AgentSight.Contracts;

namespace AgentSight.Plugins.File;

/// <summary>The <c>file</c> sink plugin: events appended to an NDJSON file, rotated by size.</summary>
public sealed class FileSinkFactory : SinkFactory<FileSinkConfig>
{
    /// <inheritdoc />
    public override string Description => "Writes events to an NDJSON file, optionally rotated by size.";

    /// <inheritdoc />
    protected override ISink Create(FileSinkConfig config, IStageContext context) => new FileSink(config, context, TimeProvider.System);
}
