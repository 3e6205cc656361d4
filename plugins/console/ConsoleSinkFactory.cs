using AgentSight.Contracts;

namespace AgentSight.Plugins.Console;

/// <summary>The <c>console</c> sink plugin: events on stdout (or stderr) as NDJSON or as readable lines.</summary>
public sealed class ConsoleSinkFactory : SinkFactory<ConsoleSinkConfig>
{
    /// <inheritdoc />
    public override string Description => "Writes events to stdout or stderr as NDJSON, or one readable line per event.";

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Roles { get; } = [StageRoles.Console];

    /// <inheritdoc />
    protected override ISink Create(ConsoleSinkConfig config, IStageContext context)
    {
        var stream = config.Stream;
        return new ConsoleSink(config, context, () => StandardStreams.Open(stream));
    }
}
