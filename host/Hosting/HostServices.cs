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
        services.AddSingleton(sp => new PluginCatalog(settings.PluginsDirectory, sp.GetRequiredService<ILogger<PluginCatalog>>()));
        services.AddSingleton<PipelineLoader>();
        services.AddSingleton<PipelineSession>();
        return services.BuildServiceProvider();
    }
}
