using AgentSight.Contracts;
using AgentSight.Host.Hosting;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Plugins;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Manifest;

/// <summary>From the manifest file and the command line's overrides to a validated plan, or the list of problems.</summary>
internal sealed class PipelineLoader(HostSettings settings, PluginCatalog catalog, FileSafety safety, ILogger<PipelineLoader> log)
{
    public PluginCatalog Catalog => catalog;

    /// <summary>The manifest after overrides, or null with the problems.</summary>
    public PipelineManifest? ReadManifest(PipelineOverrides overrides, List<ManifestProblem> problems) =>
        ReadManifest(overrides, problems, preload: false);

    private PipelineManifest? ReadManifest(PipelineOverrides overrides, List<ManifestProblem> problems, bool preload)
    {
        if (File.Exists(settings.ManifestPath) && safety.Check(settings.ManifestPath, "manifest") is { } unsafeManifest)
        {
            problems.Add(new ManifestProblem(settings.ManifestPath, null, null, unsafeManifest));
            return null;
        }
        var manifest = ManifestReader.Read(settings.ManifestPath, problems);
        if (manifest is not null && preload)
        {
            LoadStagePlugins(manifest);
        }
        return manifest is null ? null : overrides.ApplyTo(manifest, problems, new StageRoleLookup(catalog));
    }

    /// <summary>
    /// Loads the plugin of every stage side by side (pins checked first, as where each is loaded in turn): resolving
    /// loads each of them anyway, and loading fourteen one after another was the longest step of a recording's start.
    /// What fails is recorded in the plugin's status and reported by the resolution, in manifest order, as before.
    /// </summary>
    private void LoadStagePlugins(PipelineManifest manifest)
    {
        var plugins = manifest.Stages.Select(s => catalog.Find(s.Plugin)).OfType<PluginDescriptor>().Distinct().ToList();
        Parallel.ForEach(plugins, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) },
            plugin =>
            {
                try
                {
                    PipelineResolver.LoadPinned(catalog, plugin, manifest);
                }
                catch (IOException)
                {
                    // The pin could not be checked (the file went away): left unloaded, and reported where the
                    // resolution loads it in turn.
                }
            });
    }

    /// <summary>A validated plan, or null with every problem found.</summary>
    public PipelinePlan? Load(PipelineOverrides overrides, List<ManifestProblem> problems)
    {
        var manifest = ReadManifest(overrides, problems, preload: true);
        RunTimings.Mark("manifest read, command-line overrides applied (roles looked up)");
        if (manifest is null)
        {
            return null;
        }
        // Resolved even when reading found problems, so that every mistake is reported at once.
        var plan = PipelineResolver.Resolve(manifest, catalog, problems, log);
        if (plan is not null && overrides.OnlySinkRoles is { } only)
        {
            // Left out after resolution, so that every stage's configuration is still checked.
            var kept = plan.Sinks.Where(s => only.Any(s.Factory.Roles.Contains)).ToList();
            var leftOut = plan.Sinks.Except(kept).Select(s => new StageListing(s.Id, s.Plugin, s.Position, s.Kind, Enabled: false));
            plan = plan with { Sinks = kept, Disabled = [.. plan.Disabled, .. leftOut] };
        }
        if (plan is not null && overrides.LeaveOutAnalyzerRoles.Count > 0)
        {
            // Fail-closed analyzers stay, as below.
            var leftOut = plan.Analyzers.Where(a => a.Settings.OnError != OnError.Drop
                && overrides.LeaveOutAnalyzerRoles.Any(a.Factory.Roles.Contains)).ToList();
            plan = plan with
            {
                Analyzers = [.. plan.Analyzers.Except(leftOut)],
                Disabled = [.. plan.Disabled, .. leftOut.Select(a => new StageListing(a.Id, a.Plugin, a.Position, a.Kind, Enabled: false))],
            };
        }
        if (plan is not null && overrides.NoAnalyzers)
        {
            // Fail-closed analyzers (on_error: drop, such as redaction) stay: looking at a session must never show
            // what the manifest says to hide, and they change nothing the second time.
            var kept = plan.Analyzers.Where(a => a.Settings.OnError == OnError.Drop).ToList();
            var leftOut = plan.Analyzers.Except(kept).Select(a => new StageListing(a.Id, a.Plugin, a.Position, a.Kind, Enabled: false));
            plan = plan with { Analyzers = kept, Disabled = [.. plan.Disabled, .. leftOut] };
        }
        return problems.Count == 0 ? plan : null;
    }
}
