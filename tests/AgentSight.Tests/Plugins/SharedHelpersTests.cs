using System.Runtime.Loader;
using AgentSight.Host.Plugins;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Tests.Plugins;

/// <summary>
/// The built-in plugins' shared helpers (plugins/common) travel as each plugin's private dependency: every plugin that
/// uses them carries a copy and loads it in its own context, the host has none, and discovery never takes it for a plugin.
/// </summary>
public sealed class SharedHelpersTests
{
    private const string Common = "AgentSight.Plugins.Common";

    private static readonly string[] Users = ["http", "sse", "llm", "trace", "http-filter", "ssl-filter", "file", "session-store", "web"];

    [Fact]
    public void Every_plugin_that_uses_the_helpers_carries_them_in_its_own_folder_and_deps()
    {
        foreach (var plugin in Users)
        {
            var folder = Path.Combine(Artifacts.PluginsDirectory, plugin);
            Assert.True(File.Exists(Path.Combine(folder, Common + ".dll")), $"{plugin} has no copy of {Common}.dll");
            Assert.Contains(Common, File.ReadAllText(Path.Combine(folder, plugin + ".deps.json")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_host_has_no_copy_and_the_plugins_folder_no_plugin_of_that_name()
    {
        Assert.False(File.Exists(Path.Combine(Artifacts.Directory, "host", Common + ".dll")));
        Assert.Empty(Directory.EnumerateFiles(Artifacts.PluginsDirectory, Common + ".dll", SearchOption.TopDirectoryOnly));
        Assert.False(Directory.Exists(Path.Combine(Artifacts.PluginsDirectory, Common)));
    }

    [Fact]
    public void Two_plugins_that_carry_the_helpers_each_load_their_own_copy_side_by_side()
    {
        using var temp = TempFolder.ForCaller();
        var folder = Artifacts.MakePluginsFolder(temp, "http", "sse");
        var catalog = new PluginCatalog(folder, NullLogger<PluginCatalog>.Instance);

        catalog.LoadAll();

        var copies = catalog.Plugins.Select(plugin =>
        {
            Assert.Equal(PluginStatus.Loaded, plugin.Status);
            var context = AssemblyLoadContext.GetLoadContext(plugin.Factory!.GetType().Assembly)!;
            // What the plugin's own code resolves the helpers to, through its load context.
            var helpers = context.LoadFromAssemblyName(new System.Reflection.AssemblyName(Common));
            Assert.Same(context, AssemblyLoadContext.GetLoadContext(helpers));
            Assert.Equal(Path.Combine(folder, plugin.Name, Common + ".dll"), helpers.Location);
            return helpers;
        }).ToList();
        Assert.Equal(2, copies.Count);
        Assert.NotSame(copies[0], copies[1]);
        // The test process references the helpers too (the default context): neither plugin got that copy.
        Assert.DoesNotContain(copies, c => AssemblyLoadContext.GetLoadContext(c) == AssemblyLoadContext.Default);
    }
}
