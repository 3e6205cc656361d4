using AgentSight.Contracts;

namespace AgentSight.TestPlugins.NullSink;

/// <summary>No settings.</summary>
public sealed class NullSinkConfig : PluginConfig;

/// <summary>A sink that counts and discards: measures the bus, not a sink.</summary>
public sealed class NullSinkFactory : SinkFactory<NullSinkConfig>
{
    /// <inheritdoc />
    public override string Description => "Test sink: counts events and discards them";

    /// <inheritdoc />
    protected override ISink Create(NullSinkConfig config, IStageContext context) => new NullSink(context.Counter("discarded"));
}

/// <summary>The sink.</summary>
public sealed class NullSink(Counter discarded) : ISink
{
    private long _count;

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken cancellationToken) => default;

    /// <inheritdoc />
    public void Write(AgentEvent evt) => _count++;

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        discarded.Add(_count);
        _count = 0;
        return default;
    }

    /// <inheritdoc />
    public ValueTask StopAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken);
}
