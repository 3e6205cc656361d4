using AgentSight.Contracts;

namespace AgentSight.Plugin;

/// <summary>Configuration of the analyzer: the manifest's <c>config</c> section (keys in snake_case).</summary>
public sealed class DropPathsConfig : PluginConfig
{
    /// <summary>Request paths to drop (<c>paths</c>); the query string is ignored. Default: health checks.</summary>
    public List<string> Paths { get; set; } = ["/health", "/healthz", "/ready"];

    /// <summary><c>true</c> (the default) to drop every path under a listed one (<c>/health/db</c>), <c>false</c> for exact paths only.</summary>
    public bool MatchPrefix { get; set; } = true;

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (Paths.Count == 0)
        {
            yield return new ConfigError("paths", "must list at least one path (remove the stage to drop nothing)");
        }
        foreach (var path in Paths)
        {
            if (!path.StartsWith('/'))
            {
                yield return new ConfigError("paths", $"each path must start with '/' (got \"{path}\")");
            }
        }
    }
}
