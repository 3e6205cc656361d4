namespace AgentSight.Contracts;

/// <summary>The entry point of a plugin assembly: describes the plugin and creates its instances.</summary>
/// <remarks>
/// A plugin assembly holds exactly one public, non-abstract class implementing this interface with a public
/// parameterless constructor. Derive from <see cref="AnalyzerFactory{TConfig}"/> or <see cref="SinkFactory{TConfig}"/>.
/// Creating an instance must not touch the outside world (files, sockets): that belongs in start-up, so a manifest
/// with an error anywhere leaves everything untouched.
/// </remarks>
public interface IPluginFactory
{
    /// <summary>Analyzer or sink.</summary>
    PluginKind Kind { get; }

    /// <summary>One sentence for <c>plugins list</c>.</summary>
    string Description { get; }

    /// <summary>The configuration class (a <see cref="PluginConfig"/> with a parameterless constructor).</summary>
    Type ConfigType { get; }

    /// <summary>A configuration with every default.</summary>
    PluginConfig CreateDefaultConfig();

    /// <summary>
    /// The roles this plugin fills (<see cref="StageRoles"/>, contracts 1.4): the host's commands find the stages they
    /// change by role, never by plugin name. Default none.
    /// </summary>
    IReadOnlyCollection<string> Roles => [];
}
