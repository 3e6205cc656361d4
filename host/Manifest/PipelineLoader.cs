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
    public PipelineManifest? ReadManifest(PipelineOverrides overrides, List<ManifestProblem> problems)
    {
        if (File.Exists(settings.ManifestPath) && safety.Check(settings.ManifestPath, "manifest") is { } unsafeManifest)
        {
            problems.Add(new ManifestProblem(settings.ManifestPath, null, null, unsafeManifest));
            return null;
        }
        var manifest = ManifestReader.Read(settings.ManifestPath, problems);
        if (manifest is not null)
        {
            overrides.ApplyTo(manifest, problems);
        }
        return manifest;
    }

    /// <summary>A validated plan, or null with every problem found.</summary>
    public PipelinePlan? Load(PipelineOverrides overrides, List<ManifestProblem> problems)
    {
        var manifest = ReadManifest(overrides, problems);
        if (manifest is null)
        {
            return null;
        }
        // Resolved even when reading found problems, so that every mistake is reported at once.
        var plan = PipelineResolver.Resolve(manifest, catalog, problems, log);
        return problems.Count == 0 ? plan : null;
    }
}
