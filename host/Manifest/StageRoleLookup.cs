using AgentSight.Host.Plugins;

namespace AgentSight.Host.Manifest;

/// <summary>
/// The roles of a manifest's stages, as their plugins declare them (<c>IPluginFactory.Roles</c>): how the commands'
/// overrides find "the stage that writes events to a file" without knowing its plugin's name.
/// </summary>
/// <remarks>
/// Looking up a stage's roles loads its plugin, as resolving the manifest does anyway, and checks a pinned SHA-256 first,
/// as resolving does: a plugin's code can run as soon as its assembly is loaded.
/// </remarks>
internal sealed class StageRoleLookup(PluginCatalog? catalog)
{
    /// <summary>No plugins: no stage has a role (for overrides that name stages only).</summary>
    public static StageRoleLookup None { get; } = new(null);

    /// <summary>The roles declared by the plugin of <paramref name="stage"/>; none when it is missing or cannot be loaded.</summary>
    public IReadOnlyCollection<string> RolesOf(StageSpec stage)
    {
        if (catalog?.Find(stage.Plugin) is not { } plugin)
        {
            return [];
        }
        PipelineResolver.LoadPinned(catalog, plugin, stage.Sha256);
        return plugin.Factory?.Roles ?? [];
    }

    /// <summary>An installed plugin that declares <paramref name="role"/>, for a command that needs one the manifest lacks.</summary>
    public string? PluginWithRole(string role, PipelineManifest manifest)
    {
        if (catalog is null)
        {
            return null;
        }
        foreach (var plugin in catalog.Plugins.Where(p => p.IsUsable))
        {
            PipelineResolver.LoadPinned(catalog, plugin, manifest);
            if (plugin.Factory?.Roles.Contains(role) == true)
            {
                return plugin.Name;
            }
        }
        return null;
    }
}
