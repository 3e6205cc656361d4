using System.Text.Json.Nodes;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentSight.TestPlugins.Probe;

/// <summary>Configuration of the probe analyzer.</summary>
public sealed class ProbeConfig : PluginConfig
{
    /// <summary>The values <see cref="HangIn"/> accepts.</summary>
    public static readonly IReadOnlyList<string> HangPlaces = ["create", "process", "flush"];

    /// <summary>Throw on every event whose data.seq is a multiple of this (0: never).</summary>
    public int FailEvery { get; set; }

    /// <summary>Keep every event until shutdown, then emit them all from Flush.</summary>
    public bool Hold { get; set; }

    /// <summary>Append this tag to data.tags of JSON events, to show the stage order.</summary>
    public string? Tag { get; set; }

    /// <summary>
    /// Never return from this call: <c>create</c> (the factory's Create), <c>process</c> (the first event) or
    /// <c>flush</c> (at shutdown). A warning "probe: hanging in …" is logged first, so a test knows when it hangs.
    /// </summary>
    public string? HangIn { get; set; }

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (FailEvery < 0)
        {
            yield return new ConfigError("fail_every", $"must be 0 or more (got {FailEvery})");
        }
        if (HangIn is not null && !HangPlaces.Contains(HangIn))
        {
            yield return new ConfigError("hang_in", $"must be one of {string.Join(", ", HangPlaces)} (got \"{HangIn}\")");
        }
    }
}

/// <summary>An analyzer for tests: tags, holds, throws on chosen events, or hangs.</summary>
public sealed class ProbeAnalyzerFactory : AnalyzerFactory<ProbeConfig>
{
    /// <summary>The environment variable naming a file the factory's static constructor appends a line to.</summary>
    public const string MarkerVariable = "AGENTSIGHT_PROBE_MARKER";

    /// <summary>
    /// The first code of this plugin to run, as soon as the host creates its factory: tests of install safety check
    /// through the marker file whether any of it ran.
    /// </summary>
    static ProbeAnalyzerFactory()
    {
        if (Environment.GetEnvironmentVariable(MarkerVariable) is { Length: > 0 } marker)
        {
            File.AppendAllText(marker, $"probe-analyzer code ran in process {Environment.ProcessId}\n");
        }
    }

    /// <inheritdoc />
    public override string Description => "Test analyzer: tags, holds, fails on chosen events, or hangs";

    /// <inheritdoc />
    protected override IAnalyzer Create(ProbeConfig config, IStageContext context)
    {
        if (config.HangIn == "create")
        {
            ProbeAnalyzer.Hang(context, "create");
        }
        return new ProbeAnalyzer(config, context);
    }
}

/// <summary>The probe analyzer.</summary>
public sealed class ProbeAnalyzer(ProbeConfig config, IStageContext context) : IAnalyzer
{
    private readonly List<AgentEvent> _held = [];

    /// <summary>Logs where it hangs, then never returns.</summary>
    public static void Hang(IStageContext context, string where)
    {
        context.Logger.LogWarning("probe: hanging in {Where}", where);
        Thread.Sleep(Timeout.Infinite);
    }

    /// <inheritdoc />
    public void Process(AgentEvent evt, IEventOutput output)
    {
        if (config.HangIn == "process")
        {
            Hang(context, "process");
        }
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
        if (config.HangIn == "flush")
        {
            Hang(context, "flush");
        }
        foreach (var evt in _held)
        {
            output.Emit(evt);
        }
        _held.Clear();
    }
}
