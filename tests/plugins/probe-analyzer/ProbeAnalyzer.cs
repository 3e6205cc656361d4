using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.TestPlugins.Probe;

/// <summary>Configuration of the probe analyzer.</summary>
public sealed class ProbeConfig : PluginConfig
{
    /// <summary>Throw on every event whose data.seq is a multiple of this (0: never).</summary>
    public int FailEvery { get; set; }

    /// <summary>Keep every event until shutdown, then emit them all from Flush.</summary>
    public bool Hold { get; set; }

    /// <summary>Append this tag to data.tags of JSON events, to show the stage order.</summary>
    public string? Tag { get; set; }

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (FailEvery < 0)
        {
            yield return new ConfigError("fail_every", $"must be 0 or more (got {FailEvery})");
        }
    }
}

/// <summary>An analyzer for tests: tags, holds, or throws on chosen events.</summary>
public sealed class ProbeAnalyzerFactory : AnalyzerFactory<ProbeConfig>
{
    /// <inheritdoc />
    public override string Description => "Test analyzer: tags, holds or fails on chosen events";

    /// <inheritdoc />
    protected override IAnalyzer Create(ProbeConfig config, IStageContext context) => new ProbeAnalyzer(config);
}

/// <summary>The probe analyzer.</summary>
public sealed class ProbeAnalyzer(ProbeConfig config) : IAnalyzer
{
    private readonly List<AgentEvent> _held = [];

    /// <inheritdoc />
    public void Process(AgentEvent evt, IEventOutput output)
    {
        var fields = evt.Fields;
        if (config.FailEvery > 0 && fields?["seq"] is JsonValue seq && seq.GetValue<int>() % config.FailEvery == 0)
        {
            throw new InvalidOperationException($"planted failure on seq {seq}");
        }
        if (config.Tag is not null && fields is not null)
        {
            var tags = fields["tags"] as JsonArray ?? [];
            tags.Add(config.Tag);
            fields["tags"] = tags;
        }
        if (config.Hold)
        {
            _held.Add(evt);
            return;
        }
        output.Emit(evt);
    }

    /// <inheritdoc />
    public void Flush(IEventOutput output)
    {
        foreach (var evt in _held)
        {
            output.Emit(evt);
        }
        _held.Clear();
    }
}
