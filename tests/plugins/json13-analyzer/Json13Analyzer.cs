using AgentSight.Contracts;
using Newtonsoft.Json;

namespace AgentSight.TestPlugins.Json13;

/// <summary>No settings.</summary>
public sealed class Json13Config : PluginConfig;

/// <summary>Stamps each JSON event with the Newtonsoft.Json version this plugin actually runs with.</summary>
public sealed class Json13AnalyzerFactory : AnalyzerFactory<Json13Config>
{
    /// <inheritdoc />
    public override string Description => "Test analyzer built against Newtonsoft.Json 13";

    /// <inheritdoc />
    protected override IAnalyzer Create(Json13Config config, IStageContext context) => new Json13Analyzer();
}

/// <summary>The analyzer.</summary>
public sealed class Json13Analyzer : IAnalyzer
{
    private static readonly string LoadedVersion = typeof(JsonConvert).Assembly.GetName().Version!.ToString();

    /// <inheritdoc />
    public void Process(AgentEvent evt, IEventOutput output)
    {
        if (evt.Fields is { } fields)
        {
            // Use the library for real, not just its version attribute.
            fields["newtonsoft_13"] = JsonConvert.SerializeObject(new { version = LoadedVersion });
        }
        output.Emit(evt);
    }
}
