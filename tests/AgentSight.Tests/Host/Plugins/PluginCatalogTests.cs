using AgentSight.Contracts;
using AgentSight.Host.Plugins;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Tests.Plugins;

public sealed class PluginCatalogTests
{
    private static PluginCatalog Catalog(string directory) => new(directory, NullLogger<PluginCatalog>.Instance);

    [Fact]
    public void Finds_plugins_by_folder_and_loads_their_factories()
    {
        using var temp = TempFolder.ForCaller();
        var catalog = Catalog(Artifacts.MakePluginsFolder(temp, "probe-analyzer", "console"));

        catalog.LoadAll();

        Assert.Equal(["console", "probe-analyzer"], catalog.Plugins.Select(p => p.Name));
        var probe = catalog.Find("PROBE-ANALYZER")!;
        Assert.Equal(PluginStatus.Loaded, probe.Status);
        Assert.Equal(PluginKind.Analyzer, probe.Kind);
        Assert.Equal(ContractVersion.Current, probe.ContractVersion);
        Assert.Equal("0.1.0", probe.Version);
    }

    [Fact]
    public void Two_plugins_with_two_majors_of_one_library_each_get_their_own()
    {
        using var temp = TempFolder.ForCaller();
        var catalog = Catalog(Artifacts.MakePluginsFolder(temp, "json12-analyzer", "json13-analyzer"));
        catalog.LoadAll();
        var evt = Some.JsonEvent();
        var output = new CapturingOutput();

        foreach (var plugin in catalog.Plugins)
        {
            var factory = (IAnalyzerFactory)plugin.Factory!;
            factory.Create(factory.CreateDefaultConfig(), new TestStageContext()).Process(evt, output);
        }

        Assert.Equal("""{"version":"12.0.0.0"}""", evt.Fields!["newtonsoft_12"]!.GetValue<string>());
        Assert.Equal("""{"version":"13.0.0.0"}""", evt.Fields!["newtonsoft_13"]!.GetValue<string>());
    }

    [Fact]
    public void A_plugin_built_for_a_newer_contract_major_is_refused_with_the_reason()
    {
        using var temp = TempFolder.ForCaller();
        var catalog = Catalog(Artifacts.MakePluginsFolder(temp, "future-contract"));

        catalog.LoadAll();

        var plugin = catalog.Plugins.Single();
        Assert.Equal(PluginStatus.Incompatible, plugin.Status);
        Assert.Equal($"built for contracts 3.0, this host provides {ContractVersion.Current}: update AgentSight, or use a build of the plugin for contracts 2.x", plugin.Problem);
        Assert.Null(plugin.Factory);
    }

    [Fact]
    public void Folders_that_are_not_plugins_get_a_status_instead_of_an_exception()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = temp.Combine("plugins");
        Directory.CreateDirectory(Path.Combine(plugins, "empty"));
        Directory.CreateDirectory(Path.Combine(plugins, "garbage"));
        File.WriteAllText(Path.Combine(plugins, "garbage", "garbage.dll"), "not an assembly");
        Directory.CreateDirectory(Path.Combine(plugins, "notaplugin"));
        File.Copy(typeof(Xunit.FactAttribute).Assembly.Location, Path.Combine(plugins, "notaplugin", "notaplugin.dll"));
        Directory.CreateDirectory(Path.Combine(plugins, ".hidden"));

        var catalog = Catalog(plugins);
        catalog.LoadAll();

        Assert.Equal(["empty", "garbage", "notaplugin"], catalog.Plugins.Select(p => p.Name));
        Assert.All(catalog.Plugins, p => Assert.Equal(PluginStatus.Invalid, p.Status));
        Assert.Contains("no empty.dll", catalog.Find("empty")!.Problem, StringComparison.Ordinal);
        Assert.Contains("not a .NET assembly", catalog.Find("garbage")!.Problem, StringComparison.Ordinal);
        Assert.Contains("not an AgentSight plugin", catalog.Find("notaplugin")!.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_plugins_folder_is_a_problem_not_a_crash()
    {
        var catalog = Catalog("/nonexistent/plugins");

        Assert.Empty(catalog.Plugins);
        Assert.Contains("does not exist", catalog.DirectoryProblem, StringComparison.Ordinal);
    }
}
