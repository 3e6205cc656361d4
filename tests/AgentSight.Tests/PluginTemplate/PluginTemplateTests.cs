using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Integration;

/// <summary>
/// The plugin author's path, as the README and docs/PLUGINS.md write it: install the template, make a plugin, test
/// it, publish it, install it into a plugins folder with the host, and see its effect on a replay.
/// </summary>
public sealed class PluginTemplateTests
{
    [Fact]
    public async Task An_analyzer_made_from_the_template_folder_is_tested_published_installed_and_drops_health_checks()
    {
        using var temp = TempFolder.ForCaller();
        var plugin = await MakePluginAsync(temp, Path.Combine(Artifacts.RepoRoot, "plugin-template"), "Acme.DropHealthChecks", "analyzer");
        var plugins = Artifacts.MakePluginsFolder(temp, "file");
        var output = temp.Combine("out.jsonl");
        File.WriteAllText(Path.Combine(plugins, "manifest.json"), $$"""{ "stages": [ { "plugin": "file", "config": { "path": "{{output}}" } } ] }""");

        var install = await HostProcess.RunAsync(["--plugins", plugins, "plugins", "install", Path.Combine(plugin, "out")]);
        var replay = await HostProcess.RunAsync(["--plugins", plugins, "replay", Path.Combine(plugin, "sample.jsonl")]);

        Assert.True(install.ExitCode == 0, install.Stderr);
        Assert.Contains("Installed Acme.DropHealthChecks 1.0.0 (analyzer)", install.Stdout, StringComparison.Ordinal);
        Assert.True(replay.ExitCode == 0, replay.Stderr);
        var paths = File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!["data"]!["request"]?["path"]?.GetValue<string>()).OfType<string>().ToList();
        Assert.Equal(["/v1/messages", "/healthcheck"], paths);
        Assert.Matches(@"Acme\.DropHealthChecks\s+Acme\.DropHealthChecks\s+analyzer\s+stopped\s+8\s+5\s.*dropped=3", replay.Stderr);
    }

    [Fact]
    public async Task A_sink_made_from_the_template_package_counts_the_events_of_each_process()
    {
        using var temp = TempFolder.ForCaller();
        var package = Path.Combine(Artifacts.RepoRoot, "artifacts", "feed", "AgentSight.Plugin.Templates.1.0.0.nupkg");
        Assert.True(File.Exists(package), $"{package} is missing: the build packs the template");
        var plugin = await MakePluginAsync(temp, package, "Acme.CountPerProcess", "sink");
        var plugins = Artifacts.MakePluginsFolder(temp);
        File.WriteAllText(Path.Combine(plugins, "manifest.json"), """{ "stages": [] }""");

        var install = await HostProcess.RunAsync(["--plugins", plugins, "plugins", "install", Path.Combine(plugin, "out")]);
        var replay = await HostProcess.RunAsync(["--plugins", plugins, "replay", Path.Combine(plugin, "sample.jsonl"), "--set", "Acme.CountPerProcess.path=counts.json"],
            workingDirectory: temp.Path);

        Assert.True(install.ExitCode == 0, install.Stderr);
        Assert.True(replay.ExitCode == 0, replay.Stderr);
        var counts = JsonSerializer.Deserialize<Dictionary<string, long>>(File.ReadAllText(temp.Combine("counts.json")))!;
        Assert.Equal(new Dictionary<string, long> { ["python3(4242)"] = 5, ["sh(4301)"] = 2, ["curl(4300)"] = 1 }, counts);
    }

    [Fact]
    public void The_template_references_the_contracts_version_this_repository_builds()
    {
        var props = File.ReadAllText(Path.Combine(Artifacts.RepoRoot, "Directory.Build.props"));
        var version = System.Text.RegularExpressions.Regex.Match(props, "<ContractsVersion>([^<]+)</ContractsVersion>").Groups[1].Value;
        Assert.Equal(typeof(AgentSight.Contracts.ContractVersion).Assembly.GetName().Version!.ToString(3), version);
        var template = Path.Combine(Artifacts.RepoRoot, "plugin-template", "content", "agentsight-plugin");

        foreach (var project in Directory.EnumerateFiles(template, "*.csproj", SearchOption.AllDirectories))
        {
            Assert.Contains($"Include=\"AgentSight.Contracts\" Version=\"{version}\"", File.ReadAllText(project), StringComparison.Ordinal);
        }
        // The conformance suite the template's tests inherit has the contracts' version: the rules of that contract.
        var tests = Directory.EnumerateFiles(template, "*.Tests.csproj", SearchOption.AllDirectories).Single();
        Assert.Contains($"Include=\"AgentSight.Contracts.Testing\" Version=\"{version}\"", File.ReadAllText(tests), StringComparison.Ordinal);
    }

    /// <summary>dotnet new install, dotnet new agentsight-plugin, dotnet test, dotnet publish -o out: returns the plugin folder.</summary>
    private static async Task<string> MakePluginAsync(TempFolder temp, string template, string name, string kind)
    {
        var hive = temp.Combine("template-hive");
        // A package cache of this test's own: AgentSight.Contracts keeps its version across builds of this
        // repository, so a shared cache would hand out a stale copy, and concurrent runs would race on it.
        var nugetCache = temp.Combine("nuget-packages");
        await Dotnet(temp.Path, nugetCache, "new", "install", template, "--debug:custom-hive", hive);
        await Dotnet(temp.Path, nugetCache, "new", "agentsight-plugin", "-n", name, "--kind", kind, "--debug:custom-hive", hive);
        var plugin = temp.Combine(name);
        var test = await Dotnet(plugin, nugetCache, "test");
        Assert.Contains("Passed!", test, StringComparison.Ordinal);
        var publish = await Dotnet(plugin, nugetCache, "publish", "-o", "out");
        Assert.DoesNotContain("warning", publish, StringComparison.OrdinalIgnoreCase);
        Assert.True(File.Exists(Path.Combine(plugin, "out", name + ".dll")));
        Assert.False(File.Exists(Path.Combine(plugin, "out", "AgentSight.Contracts.dll")), "the host provides the contracts; a plugin must not ship them");
        return plugin;
    }

    private static async Task<string> Dotnet(string workingDirectory, string nugetCache, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["NUGET_PACKAGES"] = nugetCache;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed ({process.ExitCode}):\n{text}");
        return text;
    }
}
