using AgentSight.Tests.Support;

namespace AgentSight.Tests.Integration;

/// <summary>
/// <c>plugins install</c> as root loads the plugin to check it, and loading runs its code: a source folder that another
/// user could have written is refused before anything in it is read or run, with the loader's own rules.
/// </summary>
public sealed class PluginInstallSafetyTests
{
    /// <summary>probe-analyzer's static constructor appends to the file this names (tests/plugins/probe-analyzer).</summary>
    private const string MarkerVariable = "AGENTSIGHT_PROBE_MARKER";

    private static void RequireRoot() =>
        Assert.True(Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root",
            "this test checks what the host refuses when it runs as root, so it must run as root (CI does)");

    private static string[] Args(string plugins, params string[] rest) => ["--plugins", plugins, .. rest];

    private static (string Plugins, string Manifest) PluginsFolder(TempFolder temp)
    {
        var plugins = Artifacts.MakePluginsFolder(temp, "console");
        var manifest = Path.Combine(plugins, "manifest.json");
        File.WriteAllText(manifest, "{ \"stages\": [ { \"plugin\": \"console\" } ] }\n");
        return (plugins, manifest);
    }

    /// <summary>A copy of probe-analyzer in <c>shared/</c>, a folder anyone may write (0777, no sticky bit).</summary>
    private static (string Shared, string Source) WritableSource(TempFolder temp)
    {
        var shared = temp.Combine("shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, (UnixFileMode)0b111_111_111);
        var source = Path.Combine(shared, "probe-analyzer");
        Artifacts.CopyDirectory(Path.Combine(Artifacts.TestPluginsDirectory, "probe-analyzer"), source);
        return (shared, source);
    }

    [Fact]
    public async Task As_root_a_source_in_a_world_writable_folder_is_refused_before_any_of_its_code_runs()
    {
        RequireRoot();
        using var temp = TempFolder.ForCaller();
        var (plugins, manifest) = PluginsFolder(temp);
        var (shared, source) = WritableSource(temp);
        var marker = temp.Combine("marker.txt");
        var before = File.ReadAllText(manifest);

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, "plugins", "install", source),
            environment: new Dictionary<string, string> { [MarkerVariable] = marker });

        Assert.False(File.Exists(marker), "the plugin's static constructor ran during a refused install:\n" + (File.Exists(marker) ? File.ReadAllText(marker) : ""));
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Equal($"agentsight: refusing to install from {source}: the directory {shared} above it is writable by everyone (mode 0777), so its contents "
            + $"could be replaced; fix it with chmod go-w {shared}, or run with --allow-writable-plugins\n", stderr);
        Assert.False(Directory.Exists(Path.Combine(plugins, "probe-analyzer")));
        Assert.Empty(Directory.EnumerateDirectories(plugins, ".install-*"));
        Assert.Equal(before, File.ReadAllText(manifest));
    }

    [Fact]
    public async Task As_root_a_world_writable_file_in_the_source_is_refused_too()
    {
        RequireRoot();
        using var temp = TempFolder.ForCaller();
        var (plugins, _) = PluginsFolder(temp);
        var source = temp.Combine("publish");
        Artifacts.CopyDirectory(Path.Combine(Artifacts.TestPluginsDirectory, "probe-analyzer"), source);
        var dll = Path.Combine(source, "probe-analyzer.dll");
        File.SetUnixFileMode(dll, (UnixFileMode)0b110_110_110);
        var marker = temp.Combine("marker.txt");

        var (code, _, stderr) = await HostProcess.RunAsync(Args(plugins, "plugins", "install", dll),
            environment: new Dictionary<string, string> { [MarkerVariable] = marker });

        Assert.False(File.Exists(marker));
        Assert.Equal(2, code);
        Assert.StartsWith($"agentsight: refusing to install from {dll}: it is writable by everyone (mode 0666); fix it with chmod go-w {dll}", stderr,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task As_root_a_manifest_others_can_write_is_refused_before_the_plugin_is_copied_or_loaded()
    {
        RequireRoot();
        using var temp = TempFolder.ForCaller();
        var (plugins, manifest) = PluginsFolder(temp);
        File.SetUnixFileMode(manifest, (UnixFileMode)0b110_110_110);
        var before = File.ReadAllText(manifest);
        var marker = temp.Combine("marker.txt");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, "plugins", "install", Path.Combine(Artifacts.TestPluginsDirectory, "probe-analyzer")),
            environment: new Dictionary<string, string> { [MarkerVariable] = marker });
        var disable = await HostProcess.RunAsync(Args(plugins, "plugins", "disable", "console"));

        Assert.False(File.Exists(marker), "the plugin's static constructor ran although the manifest was refused");
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Equal($"agentsight: refusing manifest {manifest}: it is writable by everyone (mode 0666); fix it with chmod go-w {manifest}, "
            + "or run with --allow-writable-plugins\n", stderr);
        Assert.False(Directory.Exists(Path.Combine(plugins, "probe-analyzer")));
        Assert.Equal(2, disable.ExitCode);
        Assert.StartsWith($"agentsight: refusing manifest {manifest}: it is writable by everyone", disable.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(manifest));
    }

    [Fact]
    public async Task A_safe_source_is_loaded_to_be_checked_and_the_flag_allows_a_writable_one()
    {
        RequireRoot();
        using var temp = TempFolder.ForCaller();
        var (plugins, _) = PluginsFolder(temp);
        var marker = temp.Combine("marker.txt");
        var environment = new Dictionary<string, string> { [MarkerVariable] = marker };

        // The marker works: a source that passes the checks is loaded (its code runs) to be checked.
        var safe = await HostProcess.RunAsync(Args(plugins, "plugins", "install", Path.Combine(Artifacts.TestPluginsDirectory, "probe-analyzer")),
            environment: environment);
        Assert.True(safe.ExitCode == 0, safe.Stderr);
        Assert.True(File.Exists(marker));

        File.Delete(marker);
        var (_, source) = WritableSource(temp);
        var allowed = await HostProcess.RunAsync(Args(plugins, "--allow-writable-plugins", "plugins", "install", source, "--force"), environment: environment);
        Assert.True(allowed.ExitCode == 0, allowed.Stderr);
        Assert.True(File.Exists(marker));
        Assert.Contains("--allow-writable-plugins", allowed.Stderr, StringComparison.Ordinal);
    }
}
