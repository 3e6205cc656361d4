using AgentSight.Contracts;
using Newtonsoft.Json;

namespace AgentSight.TestPlugins.Json12;

/// <summary>No settings.</summary>
public sealed class Json12Config : PluginConfig;

/// <summary>Stamps each JSON event with the Newtonsoft.Json version this plugin actually runs with.</summary>
public sealed class Json12AnalyzerFactory : AnalyzerFactory<Json12Config>
{
    /// <inheritdoc />
    public override string Description => "Test analyzer built against Newtonsoft.Json 12";

    /// <inheritdoc />
    protected override IAnalyzer Create(Json12Config config, IStageContext context) => new Json12Analyzer();
}

/// <summary>The analyzer.</summary>
public sealed class Json12Analyzer : IAnalyzer
{
    private static readonly string LoadedVersion = typeof(JsonConvert).Assembly.GetName().Version!.ToString();

    /// <inheritdoc />
    public void Process(AgentEvent evt, IEventOutput output)
    {
        if (evt.Fields is { } fields)
        {
            // Use the library for real, not just its version attribute.
            fields["newtonsoft_12"] = JsonConvert.SerializeObject(new { version = LoadedVersion });
        }
        output.Emit(evt);
    }
}
