using System.Reflection;
using AgentSight.Host.Manifest;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Plugins;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Benchmarks;

/// <summary>Plugins as the host loads them: copied from this build's output into a temporary plugins folder.</summary>
internal static class BenchPlugins
{
    /// <summary>The analyzers of the shipped manifest, in its order, that are enabled by default.</summary>
    public static readonly string[] DefaultChain = ["ssl-filter", "http", "sse", "llm", "http-filter", "redact"];

    /// <summary>This build's artifacts folder (plugins/, test-plugins/).</summary>
    public static string ArtifactsDir { get; } =
        typeof(BenchPlugins).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ArtifactsDir").Value!;

    /// <summary>
    /// A fresh plugins folder holding the named plugins; each name is looked up in <c>plugins/</c>, then
    /// <c>test-plugins/</c>. The caller deletes it.
    /// </summary>
    public static string Prepare(string label, params string[] names)
    {
        var target = Path.Combine(Path.GetTempPath(), $"agentsight-bench-{label}-{Environment.ProcessId}");
        foreach (var name in names)
        {
            var source = new[] { "plugins", "test-plugins" }.Select(folder => Path.Combine(ArtifactsDir, folder, name)).FirstOrDefault(Directory.Exists)
                ?? throw new InvalidOperationException($"plugin \"{name}\" is not in {ArtifactsDir}: build the solution first");
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var destination = Path.Combine(target, name, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination, overwrite: true);
            }
        }
        return target;
    }

    /// <summary>Resolves a manifest against a plugins folder, as the host does; throws with the problems.</summary>
    public static PipelinePlan Plan(string plugins, string manifestText)
    {
        var problems = new List<ManifestProblem>();
        var manifest = ManifestReader.Parse("bench-manifest.json", manifestText, problems)
            ?? throw new InvalidOperationException(string.Join("\n", problems));
        var catalog = new PluginCatalog(plugins, NullLogger<PluginCatalog>.Instance);
        return PipelineResolver.Resolve(manifest, catalog, problems, NullLogger.Instance)
            ?? throw new InvalidOperationException(string.Join("\n", problems));
    }
}
