using AgentSight.Contracts;

namespace AgentSight.Plugin;

/// <summary>Configuration of the sink: the manifest's <c>config</c> section (keys in snake_case).</summary>
public sealed class ProcessCountConfig : PluginConfig
{
    /// <summary>Where the counts are written when the run ends (<c>path</c>), as JSON; default <c>event-counts.json</c>.</summary>
    public string Path { get; set; } = "event-counts.json";

    /// <summary>How many of the busiest processes to log at the end (<c>log_top</c>); 0 for none. Default 5.</summary>
    public int LogTop { get; set; } = 5;

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return new ConfigError("path", "must be a file path");
        }
        if (LogTop < 0)
        {
            yield return new ConfigError("log_top", $"must be 0 or more (got {LogTop})");
        }
    }
}
