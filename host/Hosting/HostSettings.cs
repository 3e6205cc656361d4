using Serilog.Events;

namespace AgentSight.Host.Hosting;

/// <summary>The global options every command shares.</summary>
internal sealed record HostSettings(string PluginsDirectory, string ManifestPath, LogEventLevel LogLevel, bool AllowWritablePlugins = false)
{
    /// <summary>
    /// The plugins folder next to the host's own folder (<c>artifacts/&lt;cfg&gt;/plugins</c> beside
    /// <c>artifacts/&lt;cfg&gt;/host</c>, or an installed layout), unless AGENTSIGHT_PLUGINS says otherwise.
    /// </summary>
    public static string DefaultPluginsDirectory =>
        Environment.GetEnvironmentVariable("AGENTSIGHT_PLUGINS") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "plugins"));
}
