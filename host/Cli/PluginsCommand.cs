using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Hosting;
using AgentSight.Host.Manifest;
using AgentSight.Host.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Cli;

/// <summary><c>plugins list [--json]</c>: what is installed, what the manifest does with it, and why anything cannot load.</summary>
internal static class PluginsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var list = new Command("list", "List the installed plugins: name, version, kind, enabled, position, load status or error");
        list.Options.Add(json);
        list.SetAction(parse => List(global.Read(parse), parse.GetValue(json), Console.Out));

        var plugins = new Command("plugins", "List, install, enable, disable and remove plugins");
        plugins.Subcommands.Add(list);
        foreach (var command in PluginsEditCommands.Create(global))
        {
            plugins.Subcommands.Add(command);
        }
        return plugins;
    }

    /// <summary>Lists every plugin; exits 2 when the manifest has problems (printed after the list).</summary>
    public static int List(HostSettings settings, bool asJson, TextWriter output)
    {
        using var services = HostServices.Build(settings);
        var loader = services.GetRequiredService<PipelineLoader>();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentSight");
        var problems = new List<ManifestProblem>();
        var manifest = loader.ReadManifest(new PipelineOverrides(), problems);
        if (manifest is not null)
        {
            PipelineResolver.Resolve(manifest, loader.Catalog, problems, log);
        }
        loader.Catalog.LoadAll();
        var rows = Rows(loader.Catalog, manifest);

        if (asJson)
        {
            var document = new JsonObject
            {
                ["plugins_dir"] = loader.Catalog.Directory,
                ["manifest"] = Path.GetFullPath(settings.ManifestPath),
                ["contract_version"] = ContractVersion.Current.ToString(),
                ["plugins"] = new JsonArray([.. rows.Select(r => r.ToJson())]),
                ["problems"] = new JsonArray([.. problems.Select(p => (JsonNode)JsonValue.Create(p.ToString()))]),
            };
            output.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            output.WriteLine($"Plugins in {loader.Catalog.Directory}");
            output.WriteLine($"Manifest {Path.GetFullPath(settings.ManifestPath)}");
            output.WriteLine();
            WriteTable(output, rows);
        }
        if (loader.Catalog.DirectoryProblem is { } folderProblem && problems.Count == 0)
        {
            problems.Add(new ManifestProblem(settings.ManifestPath, null, null, folderProblem));
        }
        if (problems.Count > 0)
        {
            ProblemReport.Print(problems);
            return ExitCodes.Usage;
        }
        return ExitCodes.Success;
    }

    private static List<PluginRow> Rows(PluginCatalog catalog, PipelineManifest? manifest)
    {
        var stages = manifest?.Stages ?? [];
        var rows = catalog.Plugins.Select(plugin =>
        {
            var uses = stages.Where(s => string.Equals(s.Plugin, plugin.Name, StringComparison.OrdinalIgnoreCase)).ToList();
            return new PluginRow(plugin.Name, plugin.Version, plugin.Kind, plugin.Description, plugin.ContractVersion,
                uses.Count == 0 ? null : uses.Any(s => s.Enabled), [.. uses.Select(s => s.Position)], [.. uses.Select(s => s.Id)],
                plugin.StatusText, plugin.Problem, plugin.AssemblyPath)
            {
                Sha256 = File.Exists(plugin.AssemblyPath) ? PluginCatalog.Sha256Of(plugin) : null,
                Roles = plugin.Factory?.Roles.Order(StringComparer.Ordinal).ToList() ?? [],
            };
        }).ToList();
        foreach (var missing in stages.Where(s => catalog.Find(s.Plugin) is null))
        {
            rows.Add(new PluginRow(missing.Plugin, null, null, null, null, missing.Enabled, [missing.Position], [missing.Id],
                "missing: named in the manifest but not installed", "not installed", null));
        }
        return [.. rows.OrderBy(r => r.Positions.Count == 0 ? int.MaxValue : r.Positions.Min()).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }

    private static void WriteTable(TextWriter output, List<PluginRow> rows)
    {
        var table = new List<string[]> { new[] { "NAME", "VERSION", "KIND", "ENABLED", "POSITION", "STATUS", "ROLES", "DESCRIPTION" } };
        table.AddRange(rows.Select(r => new[]
        {
            r.Name,
            r.Version ?? "-",
            r.Kind switch { PluginKind.Analyzer => "analyzer", PluginKind.Sink => "sink", _ => "-" },
            r.Enabled switch { true => "yes", false => "no", null => "no (not in manifest)" },
            r.Positions.Count == 0 ? "-" : string.Join(",", r.Positions),
            r.Status,
            r.Roles.Count == 0 ? "-" : string.Join(",", r.Roles),
            r.Description ?? string.Empty,
        }));
        var widths = Enumerable.Range(0, table[0].Length).Select(i => table.Max(row => row[i].Length)).ToArray();
        foreach (var row in table)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    private sealed record PluginRow(string Name, string? Version, PluginKind? Kind, string? Description, Version? ContractVersion,
        bool? Enabled, IReadOnlyList<int> Positions, IReadOnlyList<string> Stages, string Status, string? Error, string? Path)
    {
        public string? Sha256 { get; init; }

        /// <summary>The roles the plugin declares (docs/MANIFEST.md, "Roles"): what <c>role:NAME</c> finds.</summary>
        public IReadOnlyList<string> Roles { get; init; } = [];

        public JsonObject ToJson() => new()
        {
            ["name"] = Name,
            ["version"] = Version,
            ["kind"] = Kind?.ToString().ToLowerInvariant(),
            ["description"] = Description,
            ["contract_version"] = ContractVersion?.ToString(),
            ["enabled"] = Enabled ?? false,
            ["in_manifest"] = Enabled is not null,
            ["positions"] = new JsonArray([.. Positions.Select(p => (JsonNode)p)]),
            ["stages"] = new JsonArray([.. Stages.Select(s => (JsonNode)s)]),
            ["status"] = Error is null ? "loaded" : Status.Split(':')[0],
            ["error"] = Error,
            ["path"] = Path,
            ["sha256"] = Sha256,
            ["roles"] = new JsonArray([.. Roles.Select(r => (JsonNode)r)]),
        };
    }
}
