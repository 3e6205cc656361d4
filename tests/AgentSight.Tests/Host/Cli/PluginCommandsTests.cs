using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Integration;

/// <summary><c>plugins install/enable/disable/remove</c> and safe loading as root, through the real host.</summary>
public sealed class PluginCommandsTests
{
    private static string[] Args(string plugins, params string[] rest) => ["--plugins", plugins, .. rest];

    private static string Manifest(string plugins) => Path.Combine(plugins, "manifest.json");

    private static void RequireRoot() =>
        Assert.True(Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root" || GetEuid() == 0,
            "this test checks what the host refuses when it runs as root, so it must run as root (CI does)");

    private static uint GetEuid() => uint.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
        .Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Install_enable_disable_and_remove_edit_the_manifest_and_keep_its_comments()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console");
        File.WriteAllText(Manifest(plugins), "// my pipeline\n{ \"stages\": [\n    // print everything\n    { \"plugin\": \"console\" }\n] }\n");
        var probe = Path.Combine(Artifacts.TestPluginsDirectory, "probe-analyzer");

        var install = await HostProcess.RunAsync(Args(plugins, "plugins", "install", probe));
        var again = await HostProcess.RunAsync(Args(plugins, "plugins", "install", probe));
        var disable = await HostProcess.RunAsync(Args(plugins, "plugins", "disable", "probe-analyzer"));
        var list = await HostProcess.RunAsync(Args(plugins, "plugins", "list", "--json"));

        Assert.True(install.ExitCode == 0, install.Stderr);
        Assert.Contains("Installed probe-analyzer 0.1.0 (analyzer)", install.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(plugins, "probe-analyzer", "probe-analyzer.dll")));
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already installed", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, disable.ExitCode);
        var text = File.ReadAllText(Manifest(plugins));
        Assert.StartsWith("// my pipeline\n", text, StringComparison.Ordinal);
        Assert.Contains("// print everything\n    { \"plugin\": \"console\" }", text, StringComparison.Ordinal);
        var rows = JsonNode.Parse(list.Stdout)!["plugins"]!.AsArray();
        var row = rows.Single(p => p!["name"]!.GetValue<string>() == "probe-analyzer")!;
        Assert.Equal((false, 1), (row["enabled"]!.GetValue<bool>(), row["positions"]![0]!.GetValue<int>()));
        Assert.Equal(row["sha256"]!.GetValue<string>(), Sha256(Path.Combine(plugins, "probe-analyzer", "probe-analyzer.dll")));
        Assert.Contains($"\"sha256\": \"{row["sha256"]!.GetValue<string>()}\"", text, StringComparison.Ordinal);

        var remove = await HostProcess.RunAsync(Args(plugins, "plugins", "remove", "probe-analyzer"));

        Assert.Equal(0, remove.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(plugins, "probe-analyzer")));
        Assert.Equal("// my pipeline\n{ \"stages\": [\n    // print everything\n    { \"plugin\": \"console\" }\n] }\n", File.ReadAllText(Manifest(plugins)));
    }

    [Fact]
    public async Task Enable_adds_a_stage_for_an_installed_plugin_that_is_not_in_the_manifest()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "file");
        File.WriteAllText(Manifest(plugins), "{ \"stages\": [ { \"plugin\": \"console\" } ] }");

        var enable = await HostProcess.RunAsync(Args(plugins, "plugins", "enable", "file"));
        var unknown = await HostProcess.RunAsync(Args(plugins, "plugins", "enable", "fiel"));

        Assert.True(enable.ExitCode == 0, enable.Stderr);
        Assert.Contains("{ \"plugin\": \"file\", \"enabled\": true }", File.ReadAllText(Manifest(plugins)), StringComparison.Ordinal);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no stage or plugin \"fiel\"", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pinned_hash_that_does_not_match_refuses_the_plugin_before_loading_it()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "probe-analyzer");
        var wrong = new string('a', 64);
        File.WriteAllText(Manifest(plugins), $$"""{ "stages": [ { "plugin": "probe-analyzer", "sha256": "{{wrong}}" }, { "plugin": "console" } ] }""");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, "replay", Artifacts.Sample("llm-session.jsonl")));

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        var actual = Sha256(Path.Combine(plugins, "probe-analyzer", "probe-analyzer.dll"));
        Assert.Contains($"stage 1 (\"probe-analyzer\"): plugin \"probe-analyzer\" cannot be used: refused: probe-analyzer.dll has SHA-256 {actual}, but the manifest pins {wrong}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task As_root_a_world_writable_plugin_folder_is_refused_unless_the_flag_says_so()
    {
        RequireRoot();
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "probe-analyzer");
        File.WriteAllText(Manifest(plugins), """{ "stages": [ { "plugin": "probe-analyzer" }, { "plugin": "console" } ] }""");
        var folder = Path.Combine(plugins, "probe-analyzer");
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);

        var refused = await HostProcess.RunAsync(Args(plugins, "replay", Artifacts.Sample("llm-session.jsonl")));
        var allowed = await HostProcess.RunAsync(Args(plugins, "--allow-writable-plugins", "replay", Artifacts.Sample("llm-session.jsonl"), "--no-summary"));

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"refused: refusing plugin {folder}: it is writable by everyone (mode 0777); fix it with chmod go-w {folder}, or run with --allow-writable-plugins",
            refused.Stderr, StringComparison.Ordinal);
        Assert.True(allowed.ExitCode == 0, allowed.Stderr);
        Assert.Contains("--allow-writable-plugins: loading plugins and a manifest as root without checking", allowed.Stderr, StringComparison.Ordinal);
        Assert.NotEmpty(allowed.Stdout);
    }

    [Fact]
    public async Task As_root_a_plugin_file_owned_by_another_user_or_a_writable_manifest_is_refused()
    {
        RequireRoot();
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "probe-analyzer");
        File.WriteAllText(Manifest(plugins), """{ "stages": [ { "plugin": "probe-analyzer" }, { "plugin": "console" } ] }""");
        var dll = Path.Combine(plugins, "probe-analyzer", "probe-analyzer.dll");
        Chown(dll, 65534);

        var foreignOwner = await HostProcess.RunAsync(Args(plugins, "replay", Artifacts.Sample("llm-session.jsonl")));
        Chown(dll, 0);
        File.SetUnixFileMode(Manifest(plugins), (UnixFileMode)0b110_110_110);
        var writableManifest = await HostProcess.RunAsync(Args(plugins, "replay", Artifacts.Sample("llm-session.jsonl")));

        Assert.Equal(2, foreignOwner.ExitCode);
        Assert.Contains($"refusing plugin {dll}: it is owned by uid 65534", foreignOwner.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, writableManifest.ExitCode);
        Assert.Contains($"refusing manifest {Manifest(plugins)}: it is writable by everyone (mode 0666)", writableManifest.Stderr, StringComparison.Ordinal);
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static void Chown(string path, int uid)
    {
        using var process = System.Diagnostics.Process.Start("chown", [uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path]);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
