using AgentSight.Tests.Support;

namespace AgentSight.Tests.Integration;

/// <summary>
/// The commands find the stages they change by the roles plugins declare, not by plugin names: a renamed or replaced
/// plugin still answers <c>-o</c>, <c>--quiet</c> and <c>report</c> (docs/MANIFEST.md, "Roles").
/// </summary>
public sealed class StageRoleTests
{
    /// <summary>The file plugin installed under another name (its folder and assembly file renamed), as a replacement would be.</summary>
    private static string PluginsWithRenamedFileSink(TempFolder folder)
    {
        var plugins = Artifacts.MakePluginsFolder(folder, "console");
        var renamed = Path.Combine(plugins, "events-out");
        Artifacts.CopyDirectory(Path.Combine(Artifacts.PluginsDirectory, "file"), renamed);
        File.Move(Path.Combine(renamed, "file.dll"), Path.Combine(renamed, "events-out.dll"));
        File.Move(Path.Combine(renamed, "file.deps.json"), Path.Combine(renamed, "events-out.deps.json"));
        return plugins;
    }

    [Fact]
    public async Task Output_and_quiet_reach_a_renamed_file_plugin_and_a_console_stage_with_another_id()
    {
        using var folder = TempFolder.ForCaller();
        var plugins = PluginsWithRenamedFileSink(folder);
        var manifest = folder.Combine("manifest.json");
        File.WriteAllText(manifest, """{ "stages": [ { "plugin": "console", "id": "screen" }, { "plugin": "events-out", "enabled": false } ] }""");
        var output = folder.Combine("out.jsonl");

        var (code, stdout, stderr) = await HostProcess.RunAsync(["--plugins", plugins, "--manifest", manifest,
            "replay", Artifacts.Sample("llm-session.jsonl"), "-q", "-o", output, "--no-summary"]);

        Assert.True(code == 0, stderr);
        Assert.Equal(200, File.ReadAllLines(output).Length);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task A_flag_whose_role_no_stage_fills_names_the_role_and_starts_nothing()
    {
        using var folder = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(folder, "console");
        var manifest = folder.Combine("manifest.json");
        File.WriteAllText(manifest, """{ "stages": [ { "plugin": "console" } ] }""");
        var output = folder.Combine("out.jsonl");

        var (code, _, stderr) = await HostProcess.RunAsync(["--plugins", plugins, "--manifest", manifest,
            "replay", Artifacts.Sample("llm-session.jsonl"), "-o", output]);

        Assert.Equal(2, code);
        Assert.Contains("fills the role \"event-file\"", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Report_reads_a_stored_session_through_a_renamed_session_store_plugin()
    {
        using var folder = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(folder, "http", "sse", "llm", "web");
        var renamed = Path.Combine(plugins, "my-store");
        Artifacts.CopyDirectory(Path.Combine(Artifacts.PluginsDirectory, "session-store"), renamed);
        File.Move(Path.Combine(renamed, "session-store.dll"), Path.Combine(renamed, "my-store.dll"));
        File.Move(Path.Combine(renamed, "session-store.deps.json"), Path.Combine(renamed, "my-store.deps.json"));
        var db = folder.Combine("stored.db");
        var manifest = folder.Combine("manifest.json");
        File.WriteAllText(manifest, $$"""{ "stages": [ { "plugin": "http" }, { "plugin": "sse" }, { "plugin": "llm" }, { "plugin": "my-store", "config": { "path": {{System.Text.Json.JsonSerializer.Serialize(db)}} } } ] }""");
        var store = await HostProcess.RunAsync(["--plugins", plugins, "--manifest", manifest, "replay", Artifacts.Sample("llm-session.jsonl"), "--no-summary"]);
        Assert.True(store.ExitCode == 0, store.Stderr);

        // The manifest has no web stage: report adds the installed plugin that declares the web UI's role.
        var (code, stdout, stderr) = await HostProcess.RunAsync(["--plugins", plugins, "--manifest", manifest, "report", db]);

        Assert.True(code == 0, stderr);
        Assert.Contains("12 LLM calls", stdout, StringComparison.Ordinal);
    }
}
