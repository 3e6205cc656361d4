namespace AgentSight.Contracts;

/// <summary>Base of every plugin's configuration class.</summary>
/// <remarks>
/// The host binds the stage's <c>config</c> section of the manifest to the subclass: keys are the properties'
/// names in snake_case (<c>MaxSizeMb</c> is <c>max_size_mb</c>), enums are snake_case or kebab-case strings, and an
/// unknown key is an error. A new instance must be a complete, valid configuration: every property has a default.
/// The host calls <see cref="Validate"/> before it creates anything.
/// </remarks>
public abstract class PluginConfig
{
    /// <summary>Every problem with the values, each naming its key. None means valid.</summary>
    public virtual IEnumerable<ConfigError> Validate() => [];
}
