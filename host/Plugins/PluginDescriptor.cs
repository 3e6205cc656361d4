using System.Runtime.Loader;
using AgentSight.Contracts;

namespace AgentSight.Host.Plugins;

/// <summary>One plugin folder: what is known of it, and its factory once loaded.</summary>
internal sealed class PluginDescriptor
{
    public required string Name { get; init; }

    /// <summary>The plugin's folder: <c>plugins/&lt;Name&gt;/</c>.</summary>
    public required string Directory { get; init; }

    /// <summary>The main assembly: <c>plugins/&lt;Name&gt;/&lt;Name&gt;.dll</c>.</summary>
    public required string AssemblyPath { get; init; }

    public PluginStatus Status { get; set; } = PluginStatus.Found;

    /// <summary>Why the plugin cannot be used, when it cannot.</summary>
    public string? Problem { get; set; }

    /// <summary>The contracts version the plugin was built against.</summary>
    public Version? ContractVersion { get; set; }

    /// <summary>The plugin's own version (informational version of its assembly).</summary>
    public string? Version { get; set; }

    public PluginKind? Kind => Factory?.Kind;

    public string? Description => Factory?.Description;

    public IPluginFactory? Factory { get; set; }

    /// <summary>Keeps the plugin's load context alive for the life of the host.</summary>
    public AssemblyLoadContext? LoadContext { get; set; }

    public bool IsUsable => Status is PluginStatus.Found or PluginStatus.Loaded;

    public string StatusText => Status switch
    {
        PluginStatus.Found => "not loaded",
        PluginStatus.Loaded => "loaded",
        PluginStatus.Incompatible => $"incompatible: {Problem}",
        PluginStatus.Invalid => $"invalid: {Problem}",
        PluginStatus.Refused => $"refused: {Problem}",
        _ => $"failed: {Problem}",
    };
}
