using AgentSight.Host.Manifest;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Hosting;

/// <summary>The host's service container, built once per command from the global settings.</summary>
internal static class HostServices
{
    public static ServiceProvider Build(HostSettings settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton(settings);
        services.AddSingleton(LoggingSetup.CreateLoggerFactory(settings.LogLevel));
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var safety = FileSafety.ForCurrentProcess(settings.AllowWritablePlugins);
            if (settings.AllowWritablePlugins && UnixFileStatus.EffectiveUserId == 0)
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("AgentSight").LogWarning(
                    "--allow-writable-plugins: loading plugins and a manifest as root without checking who can write them");
            }
            return safety;
        });
        services.AddSingleton(sp => new PluginCatalog(settings.PluginsDirectory, sp.GetRequiredService<FileSafety>(),
            sp.GetRequiredService<ILogger<PluginCatalog>>()));
        services.AddSingleton<PipelineLoader>();
        services.AddSingleton<PipelineSession>();
        return services.BuildServiceProvider();
    }
}
