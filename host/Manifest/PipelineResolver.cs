using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Plugins;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Manifest;

/// <summary>Turns a manifest into a validated <see cref="PipelinePlan"/>: plugins found and loaded, configs bound and valid.</summary>
/// <remarks>Every problem of every enabled stage is collected; a plan is returned only when there is none.</remarks>
internal static class PipelineResolver
{
    public static PipelinePlan? Resolve(PipelineManifest manifest, PluginCatalog catalog, List<ManifestProblem> problems, ILogger log)
    {
        var before = problems.Count;
        if (catalog.DirectoryProblem is not null)
        {
            problems.Add(new ManifestProblem(manifest.Path, null, null, catalog.DirectoryProblem));
            return null;
        }
        var installed = catalog.Plugins.Select(p => p.Name).ToList();
        var analyzers = new List<StagePlan>();
        var sinks = new List<StagePlan>();
        var disabled = new List<StageListing>();

        foreach (var stage in manifest.Stages)
        {
            void Problem(string message) => problems.Add(new ManifestProblem(manifest.Path, stage.Position, stage.Id, message));

            var plugin = catalog.Find(stage.Plugin);
            if (plugin is not null)
            {
                LoadPinned(catalog, plugin, stage.Sha256);
            }
            if (!stage.Enabled)
            {
                if (plugin?.Factory is { } disabledFactory)
                {
                    disabled.Add(new StageListing(stage.Id, plugin.Name, stage.Position, disabledFactory.Kind, Enabled: false));
                }
                else
                {
                    log.LogWarning("Disabled stage {Stage} of {Manifest} names plugin {Plugin}, which is {Status}",
                        stage.Id, manifest.Path, stage.Plugin, plugin?.StatusText ?? "not installed");
                }
                continue;
            }
            if (plugin is null)
            {
                Problem($"unknown plugin \"{stage.Plugin}\"{Suggest.DidYouMean(stage.Plugin, installed)}; installed in {catalog.Directory}: "
                    + (installed.Count == 0 ? "none" : string.Join(", ", installed)));
                continue;
            }
            if (plugin.Factory is not { } factory)
            {
                Problem($"plugin \"{plugin.Name}\" cannot be used: {plugin.StatusText}");
                continue;
            }
            if (factory.Kind == PluginKind.Analyzer && sinks.Count > 0)
            {
                Problem($"analyzer \"{plugin.Name}\" comes after sink \"{sinks[0].Id}\" (stage {sinks[0].Position}); "
                    + "sinks take the events at the end of the chain, so list every analyzer before the sinks");
            }
            if (factory.Kind == PluginKind.Sink && stage.OnError is not null)
            {
                Problem("\"on_error\" applies to analyzers only; a failing sink is restarted and its event counted as failed");
            }
            var config = ConfigBinder.Bind(factory, stage.Config, Problem);
            if (config is null)
            {
                continue;
            }
            var settings = new StageSettings(
                stage.QueueCapacity ?? StageSettings.DefaultQueueCapacity,
                stage.Backpressure ?? Backpressure.Block,
                stage.MaxFailures ?? StageSettings.DefaultMaxFailures,
                stage.OnError ?? (factory as IAnalyzerFactory)?.DefaultOnError ?? OnError.Pass,
                OwnQueue: stage.QueueCapacity is not null || stage.Backpressure is not null);
            var plan = new StagePlan(stage.Id, plugin.Name, stage.Position, factory, config, settings);
            (factory.Kind == PluginKind.Analyzer ? analyzers : sinks).Add(plan);
        }
        return problems.Count == before
            ? new PipelinePlan(analyzers, sinks, disabled) { ShutdownTimeout = manifest.ShutdownTimeout ?? PipelinePlan.DefaultShutdownTimeout }
            : null;
    }

    /// <summary>
    /// Loads a plugin outside the manifest's stages (a reader, a role a command needs), after checking the SHA-256 any
    /// stage of <paramref name="manifest"/> pins for it: a pin holds wherever the plugin is loaded from.
    /// </summary>
    public static void LoadPinned(PluginCatalog catalog, PluginDescriptor plugin, PipelineManifest? manifest) =>
        LoadPinned(catalog, plugin, manifest?.Stages.FirstOrDefault(s => s.Sha256 is not null
            && string.Equals(s.Plugin, plugin.Name, StringComparison.OrdinalIgnoreCase))?.Sha256);

    /// <summary>Loads a plugin, after checking the SHA-256 a stage pins (when it pins one): refused when it differs.</summary>
    public static void LoadPinned(PluginCatalog catalog, PluginDescriptor plugin, string? pinned)
    {
        if (pinned is not null && plugin.IsUsable && plugin.Status != PluginStatus.Loaded)
        {
            // Checked before loading: a plugin's code can run as soon as its assembly is loaded.
            var actual = PluginCatalog.Sha256Of(plugin);
            if (actual != pinned)
            {
                PluginCatalog.Refuse(plugin, $"{plugin.Name}.dll has SHA-256 {actual}, but the manifest pins {pinned} "
                    + "(reinstall it with 'plugins install --force', or update the pin)");
            }
        }
        catalog.Load(plugin);
    }
}
