namespace AgentSight.Host.Plugins;

/// <summary>Where a plugin folder is in being loaded.</summary>
internal enum PluginStatus
{
    /// <summary>Found, checked for its contract version, not loaded yet.</summary>
    Found,

    /// <summary>Loaded; its factory is ready.</summary>
    Loaded,

    /// <summary>Built against a contract version this host cannot run.</summary>
    Incompatible,

    /// <summary>The folder or assembly is not a usable plugin (no assembly, no factory, several factories…).</summary>
    Invalid,

    /// <summary>Refused before loading: other users could have written it (running as root), or its pinned hash differs.</summary>
    Refused,

    /// <summary>Loading threw (missing dependency, bad image, factory constructor failure…).</summary>
    Failed,
}
