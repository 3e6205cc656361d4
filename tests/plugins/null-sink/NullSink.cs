using AgentSight.Contracts;

namespace AgentSight.TestPlugins.NullSink;

/// <summary>Settings of the null sink.</summary>
public sealed class NullSinkConfig : PluginConfig
{
    /// <summary>Throw from Write once this many events were written (0: never): a sink that breaks mid-run, for tests.</summary>
    public long FailAfter { get; set; }

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (FailAfter < 0)
        {
            yield return new ConfigError("fail_after", $"must be 0 or more (got {FailAfter})");
        }
    }
}

/// <summary>A sink that counts and discards: measures the bus, not a sink.</summary>
public sealed class NullSinkFactory : SinkFactory<NullSinkConfig>
{
    /// <inheritdoc />
    public override string Description => "Test sink: counts events and discards them";

    /// <inheritdoc />
    protected override ISink Create(NullSinkConfig config, IStageContext context) => new NullSink(context.Counter("discarded"), config.FailAfter);
}

/// <summary>The sink.</summary>
public sealed class NullSink(Counter discarded, long failAfter = 0) : ISink
{
    private long _count;
    private long _written;

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken cancellationToken) => default;

    /// <inheritdoc />
    public void Write(ReadOnlyEvent evt)
    {
        if (failAfter > 0 && _written >= failAfter)
        {
            throw new IOException($"planted failure: the null sink takes {failAfter} events at most");
        }
        _written++;
        _count++;
    }

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
